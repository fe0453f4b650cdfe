"""The participant portal (per trial, off unless the protocol turns it on): invitation by the coordinator, the
participant's own password and an e-mailed code as second factor, their visit dates, reports of new or worsening
symptoms that alert the site, and an adverse-event diary after each infusion. Blinded like every participant."""
