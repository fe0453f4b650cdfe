"""Canadian French pages: ISO 8601 dates (the Canadian standard numeric date, CSA Z234.4), 24-hour times, a
decimal comma and a narrow no-break space between thousands (2,5 ; 12 345,6), as the Office québécois de la
langue française and the federal Translation Bureau write numbers."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\u202f"
NUMBER_GROUPING = 3
