"""English and Canadian French: the languages, the catalogues compiled at start-up, each user's chosen language,
and the domain's messages rendered in the reader's language."""
