"""Electronic informed consent: the ICF read in the participant's language, comprehension questions, the
participant's signature and the coordinator's countersignature, the signed PDF archived; ICF documents uploaded
by the data manager besides those the protocol file declares."""
