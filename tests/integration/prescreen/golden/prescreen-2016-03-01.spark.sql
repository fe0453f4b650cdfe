WITH agg_therapies AS (
  SELECT
    patient_key,
    COUNT(*) AS a0,
    COUNT(*) FILTER(WHERE
      drug IN (
        'alemtuzumab',
        'azathioprine',
        'cladribine',
        'cyclophosphamide',
        'fingolimod',
        'methotrexate',
        'mitoxantrone',
        'mycophenolate',
        'natalizumab',
        'ocrelizumab',
        'rituximab'
      )
      AND start_date <= CAST('2016-03-01' AS DATE)
      AND (
        end_date IS NULL OR end_date > CAST('2015-12-01' AS DATE)
      )) AS a1,
    COUNT(*) FILTER(WHERE
      drug IN ('alemtuzumab', 'cladribine')
      AND start_date <= CAST('2016-03-01' AS DATE)) AS a2,
    COUNT(*) FILTER(WHERE
      drug IN ('dimethyl_fumarate', 'glatiramer_acetate', 'interferon_beta', 'teriflunomide')
      AND start_date <= CAST('2016-03-01' AS DATE)
      AND (
        end_date IS NULL OR end_date > CAST('2016-01-31' AS DATE)
      )) AS a3,
    COUNT(*) FILTER(WHERE
      drug = 'teriflunomide'
      AND start_date <= CAST('2016-03-01' AS DATE)
      AND (
        accelerated_elimination IS NULL
        OR NOT accelerated_elimination IN ('activated_charcoal', 'cholestyramine')
      )) AS a4,
    COUNT(*) FILTER(WHERE
      drug IN (
        'dexamethasone',
        'hydrocortisone',
        'methylprednisolone',
        'prednisolone',
        'prednisone'
      )
      AND start_date <= CAST('2016-03-01' AS DATE)
      AND (
        end_date IS NULL OR end_date > CAST('2016-01-31' AS DATE)
      )) AS a5
  FROM therapies
  GROUP BY
    patient_key
), agg_relapses AS (
  SELECT
    patient_key,
    COUNT(*) AS a0,
    COUNT(*) FILTER(WHERE
      (
        onset_date > CAST('2015-03-01' AS DATE)
        AND onset_date <= CAST('2016-03-01' AS DATE)
      )
      AND COALESCE(clinically_documented, TRUE)) AS a1,
    COUNT(*) FILTER(WHERE
      (
        onset_date > CAST('2014-03-01' AS DATE)
        AND onset_date <= CAST('2016-03-01' AS DATE)
      )
      AND COALESCE(clinically_documented, TRUE)) AS a2,
    COUNT(*) FILTER(WHERE
      onset_date > CAST('2016-01-01' AS DATE)
      AND onset_date <= CAST('2016-03-01' AS DATE)) AS a3
  FROM relapses
  GROUP BY
    patient_key
), agg_mri AS (
  SELECT
    patient_key,
    COUNT(*) FILTER(WHERE
      (
        scan_date > CAST('2015-03-01' AS DATE)
        AND scan_date <= CAST('2016-03-01' AS DATE)
      )
      AND gel_count >= 1) AS a0,
    COUNT(*) FILTER(WHERE
      (
        scan_date > CAST('2015-03-01' AS DATE)
        AND scan_date <= CAST('2016-03-01' AS DATE)
      )
      AND gel_count IS NULL) AS a1,
    COUNT(*) AS a2
  FROM mri
  GROUP BY
    patient_key
), agg_conditions AS (
  SELECT
    patient_key,
    COUNT(*) FILTER(WHERE
      code IN (
        'hepatitis_b_chronic',
        'hepatitis_c',
        'hiv',
        'infection_active',
        'infection_chronic'
      )) AS a0,
    COUNT(*) AS a1,
    COUNT(*) FILTER(WHERE
      code IN ('malignancy')
      OR (
        code IN ('basal_cell_carcinoma', 'carcinoma_in_situ')
        AND (
          active = TRUE OR remission_date > CAST('2015-03-01' AS DATE)
        )
      )) AS a2,
    COUNT(*) FILTER(WHERE
      code IN ('basal_cell_carcinoma', 'carcinoma_in_situ')
      AND COALESCE(active, FALSE) = FALSE
      AND remission_date IS NULL) AS a3,
    COUNT(*) FILTER(WHERE
      code IN ('limited_life_expectancy')) AS a4,
    COUNT(*) FILTER(WHERE
      code IN ('hematologic_disease', 'myelodysplasia')) AS a5,
    COUNT(*) FILTER(WHERE
      code IN ('renal_failure')) AS a6
  FROM conditions
  GROUP BY
    patient_key
), agg_labs AS (
  SELECT
    patient_key,
    MAX(sample_date) FILTER(WHERE
      test = 'wbc' AND sample_date <= CAST('2016-03-01' AS DATE)) AS a0,
    MAX(sample_date) FILTER(WHERE
      (
        test = 'wbc' AND sample_date <= CAST('2016-03-01' AS DATE)
      )
      AND clinically_significant = TRUE) AS a1,
    MAX(sample_date) FILTER(WHERE
      (
        test = 'wbc' AND sample_date <= CAST('2016-03-01' AS DATE)
      )
      AND clinically_significant IS NULL) AS a2,
    MAX(sample_date) FILTER(WHERE
      test = 'egfr' AND sample_date <= CAST('2016-03-01' AS DATE)) AS a3,
    MAX(sample_date) FILTER(WHERE
      (
        test = 'egfr' AND sample_date <= CAST('2016-03-01' AS DATE)
      ) AND value < 60) AS a4
  FROM labs
  GROUP BY
    patient_key
), agg_allergies AS (
  SELECT
    patient_key,
    COUNT(*) FILTER(WHERE
      substance IN (
        'amikacin',
        'gentamicin',
        'kanamycin',
        'neomycin',
        'netilmicin',
        'plazomicin',
        'streptomycin',
        'tobramycin'
      )) AS a0,
    COUNT(*) AS a1
  FROM allergies
  GROUP BY
    patient_key
), rel_0 AS (
  SELECT
    patient_key,
    SUM(
      CASE
        WHEN prev_end IS NULL OR s > prev_end
        THEN DATEDIFF(DAY, s, e) + 1
        WHEN e > prev_end
        THEN DATEDIFF(DAY, prev_end, e)
        ELSE 0
      END
    ) AS covered_days
  FROM (
    SELECT
      patient_key,
      s,
      e,
      MAX(e) OVER (
        PARTITION BY patient_key
        ORDER BY s NULLS LAST
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
      ) AS prev_end
    FROM (
      SELECT
        patient_key,
        start_date AS s,
        CASE
          WHEN end_date IS NULL OR end_date > CAST('2016-03-01' AS DATE)
          THEN CAST('2016-03-01' AS DATE)
          ELSE end_date
        END AS e
      FROM therapies
      WHERE
        drug IN (
          'alemtuzumab',
          'dimethyl_fumarate',
          'fingolimod',
          'glatiramer_acetate',
          'interferon_beta',
          'mitoxantrone',
          'natalizumab',
          'teriflunomide'
        )
        AND start_date <= CAST('2016-03-01' AS DATE)
    ) AS spans
  ) AS with_prev
  GROUP BY
    patient_key
), rel_1 AS (
  SELECT
    patient_key,
    MAX(rand_date) AS rand_date,
    MAX(score) FILTER(WHERE
      assessment_date = rand_date) AS rand_score,
    MIN(score) FILTER(WHERE
      assessment_date > CAST('2015-03-01' AS DATE) AND assessment_date < rand_date) AS lowest_since_20150301
  FROM (
    SELECT
      patient_key,
      assessment_date,
      score,
      MAX(CASE WHEN assessment_date > CAST('2015-12-02' AS DATE) THEN assessment_date END) OVER (PARTITION BY patient_key) AS rand_date
    FROM edss
    WHERE
      assessment_date > CAST('2015-03-01' AS DATE)
      AND assessment_date <= CAST('2016-03-01' AS DATE)
  ) AS edss_rows
  GROUP BY
    patient_key
)
SELECT
  patient_id,
  i1,
  i2,
  i3,
  i4,
  i5,
  e1,
  e2,
  e3,
  e4,
  e5,
  e6,
  e7,
  e8,
  e9,
  e10,
  e11,
  e12,
  e13,
  e14,
  e15,
  e16,
  e17,
  e18,
  i1
  AND i2
  AND i3
  AND i4
  AND i5
  AND NOT e1
  AND NOT e2
  AND NOT e3
  AND NOT e4
  AND NOT e5
  AND NOT e6
  AND NOT e7
  AND NOT e8
  AND NOT e9
  AND NOT e10
  AND NOT e11
  AND NOT e12
  AND NOT e13
  AND NOT e14
  AND NOT e15
  AND NOT e16
  AND NOT e17
  AND NOT e18 AS eligible
FROM (
  SELECT
    p.patient_key,
    p.patient_id,
    (
      CASE
        WHEN p.ms_course IS NULL
        THEN NULL
        WHEN p.ms_course = 'RRMS'
        THEN (
          (
            CASE
              WHEN NOT (
                COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
              )
              THEN NULL
              ELSE COALESCE(rel_0.covered_days, 0) >= 365
            END
          )
          AND (
            (
              (
                CASE
                  WHEN NOT (
                    COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                  )
                  THEN NULL
                  ELSE COALESCE(agg_relapses.a1, 0) >= 1
                END
              )
              OR (
                CASE
                  WHEN NOT (
                    COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                  )
                  THEN NULL
                  ELSE COALESCE(agg_relapses.a2, 0) >= 2
                END
              )
              OR (
                CASE
                  WHEN NOT (
                    COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                  )
                  THEN NULL
                  ELSE CASE
                    WHEN COALESCE(agg_mri.a0, 0) > 0
                    THEN TRUE
                    WHEN COALESCE(agg_mri.a1, 0) > 0
                    THEN NULL
                    ELSE FALSE
                  END
                END
              )
            )
          )
        )
        WHEN p.ms_course = 'SPMS'
        THEN (
          (
            CASE
              WHEN NOT (
                COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
              )
              THEN NULL
              ELSE COALESCE(rel_0.covered_days, 0) >= 365
            END
          )
          AND (
            rel_1.rand_score - rel_1.lowest_since_20150301 >= CASE WHEN rel_1.rand_score >= 5.5 THEN 0.5 ELSE 1.0 END
          )
          AND (
            (
              (
                CASE
                  WHEN NOT (
                    COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                  )
                  THEN NULL
                  ELSE COALESCE(agg_relapses.a1, 0) >= 1
                END
              )
              OR (
                CASE
                  WHEN NOT (
                    COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                  )
                  THEN NULL
                  ELSE CASE
                    WHEN COALESCE(agg_mri.a0, 0) > 0
                    THEN TRUE
                    WHEN COALESCE(agg_mri.a1, 0) > 0
                    THEN NULL
                    ELSE FALSE
                  END
                END
              )
            )
          )
        )
        WHEN p.ms_course = 'PPMS'
        THEN (
          (
            rel_1.rand_score - rel_1.lowest_since_20150301 >= CASE WHEN rel_1.rand_score >= 5.5 THEN 0.5 ELSE 1.0 END
          )
          AND (
            CASE
              WHEN NOT (
                COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
              )
              THEN NULL
              ELSE CASE
                WHEN COALESCE(agg_mri.a0, 0) > 0
                THEN TRUE
                WHEN COALESCE(agg_mri.a1, 0) > 0
                THEN NULL
                ELSE FALSE
              END
            END
          )
          AND (
            p.ms_csf_oligoclonal_bands = TRUE
          )
        )
        ELSE FALSE
      END
    ) AS i1,
    (
      (
        YEAR(COALESCE(p.consent_date, CAST('2016-03-01' AS DATE))) - YEAR(p.birth_date) - CASE
          WHEN MONTH(COALESCE(p.consent_date, CAST('2016-03-01' AS DATE))) < MONTH(p.birth_date)
          OR (
            MONTH(COALESCE(p.consent_date, CAST('2016-03-01' AS DATE))) = MONTH(p.birth_date)
            AND DAY(COALESCE(p.consent_date, CAST('2016-03-01' AS DATE))) < DAY(p.birth_date)
          )
          THEN 1
          ELSE 0
        END
      ) BETWEEN 18 AND 50
    ) AS i2,
    (
      (
        YEAR(CAST('2016-03-01' AS DATE)) - YEAR(p.ms_onset_date) - CASE
          WHEN MONTH(CAST('2016-03-01' AS DATE)) < MONTH(p.ms_onset_date)
          OR (
            MONTH(CAST('2016-03-01' AS DATE)) = MONTH(p.ms_onset_date)
            AND DAY(CAST('2016-03-01' AS DATE)) < DAY(p.ms_onset_date)
          )
          THEN 1
          ELSE 0
        END
      ) BETWEEN 2 AND 15
    ) AS i3,
    (
      rel_1.rand_score BETWEEN 2.5 AND 6.5
    ) AS i4,
    (
      CASE
        WHEN p.able_to_consent = FALSE
        THEN FALSE
        WHEN p.consent_date IS NULL
        THEN FALSE
        WHEN p.consent_date > CAST('2016-03-01' AS DATE)
        THEN FALSE
        ELSE TRUE
      END
    ) AS i5,
    (
      CASE
        WHEN p.ms_course IS NULL
        THEN NULL
        WHEN p.ms_course <> 'RRMS'
        THEN FALSE
        ELSE NOT (
          CASE
            WHEN p.ms_course IS NULL
            THEN NULL
            WHEN p.ms_course = 'RRMS'
            THEN (
              (
                CASE
                  WHEN NOT (
                    COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
                  )
                  THEN NULL
                  ELSE COALESCE(rel_0.covered_days, 0) >= 365
                END
              )
              AND (
                (
                  (
                    CASE
                      WHEN NOT (
                        COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                      )
                      THEN NULL
                      ELSE COALESCE(agg_relapses.a1, 0) >= 1
                    END
                  )
                  OR (
                    CASE
                      WHEN NOT (
                        COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                      )
                      THEN NULL
                      ELSE COALESCE(agg_relapses.a2, 0) >= 2
                    END
                  )
                  OR (
                    CASE
                      WHEN NOT (
                        COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                      )
                      THEN NULL
                      ELSE CASE
                        WHEN COALESCE(agg_mri.a0, 0) > 0
                        THEN TRUE
                        WHEN COALESCE(agg_mri.a1, 0) > 0
                        THEN NULL
                        ELSE FALSE
                      END
                    END
                  )
                )
              )
            )
            WHEN p.ms_course = 'SPMS'
            THEN (
              (
                CASE
                  WHEN NOT (
                    COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
                  )
                  THEN NULL
                  ELSE COALESCE(rel_0.covered_days, 0) >= 365
                END
              )
              AND (
                rel_1.rand_score - rel_1.lowest_since_20150301 >= CASE WHEN rel_1.rand_score >= 5.5 THEN 0.5 ELSE 1.0 END
              )
              AND (
                (
                  (
                    CASE
                      WHEN NOT (
                        COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                      )
                      THEN NULL
                      ELSE COALESCE(agg_relapses.a1, 0) >= 1
                    END
                  )
                  OR (
                    CASE
                      WHEN NOT (
                        COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                      )
                      THEN NULL
                      ELSE CASE
                        WHEN COALESCE(agg_mri.a0, 0) > 0
                        THEN TRUE
                        WHEN COALESCE(agg_mri.a1, 0) > 0
                        THEN NULL
                        ELSE FALSE
                      END
                    END
                  )
                )
              )
            )
            WHEN p.ms_course = 'PPMS'
            THEN (
              (
                rel_1.rand_score - rel_1.lowest_since_20150301 >= CASE WHEN rel_1.rand_score >= 5.5 THEN 0.5 ELSE 1.0 END
              )
              AND (
                CASE
                  WHEN NOT (
                    COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                  )
                  THEN NULL
                  ELSE CASE
                    WHEN COALESCE(agg_mri.a0, 0) > 0
                    THEN TRUE
                    WHEN COALESCE(agg_mri.a1, 0) > 0
                    THEN NULL
                    ELSE FALSE
                  END
                END
              )
              AND (
                p.ms_csf_oligoclonal_bands = TRUE
              )
            )
            ELSE FALSE
          END
        )
      END
    ) AS e1,
    (
      CASE
        WHEN p.ms_course IS NULL
        THEN NULL
        WHEN p.ms_course <> 'SPMS'
        THEN FALSE
        ELSE NOT (
          CASE
            WHEN p.ms_course IS NULL
            THEN NULL
            WHEN p.ms_course = 'RRMS'
            THEN (
              (
                CASE
                  WHEN NOT (
                    COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
                  )
                  THEN NULL
                  ELSE COALESCE(rel_0.covered_days, 0) >= 365
                END
              )
              AND (
                (
                  (
                    CASE
                      WHEN NOT (
                        COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                      )
                      THEN NULL
                      ELSE COALESCE(agg_relapses.a1, 0) >= 1
                    END
                  )
                  OR (
                    CASE
                      WHEN NOT (
                        COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                      )
                      THEN NULL
                      ELSE COALESCE(agg_relapses.a2, 0) >= 2
                    END
                  )
                  OR (
                    CASE
                      WHEN NOT (
                        COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                      )
                      THEN NULL
                      ELSE CASE
                        WHEN COALESCE(agg_mri.a0, 0) > 0
                        THEN TRUE
                        WHEN COALESCE(agg_mri.a1, 0) > 0
                        THEN NULL
                        ELSE FALSE
                      END
                    END
                  )
                )
              )
            )
            WHEN p.ms_course = 'SPMS'
            THEN (
              (
                CASE
                  WHEN NOT (
                    COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
                  )
                  THEN NULL
                  ELSE COALESCE(rel_0.covered_days, 0) >= 365
                END
              )
              AND (
                rel_1.rand_score - rel_1.lowest_since_20150301 >= CASE WHEN rel_1.rand_score >= 5.5 THEN 0.5 ELSE 1.0 END
              )
              AND (
                (
                  (
                    CASE
                      WHEN NOT (
                        COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                      )
                      THEN NULL
                      ELSE COALESCE(agg_relapses.a1, 0) >= 1
                    END
                  )
                  OR (
                    CASE
                      WHEN NOT (
                        COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                      )
                      THEN NULL
                      ELSE CASE
                        WHEN COALESCE(agg_mri.a0, 0) > 0
                        THEN TRUE
                        WHEN COALESCE(agg_mri.a1, 0) > 0
                        THEN NULL
                        ELSE FALSE
                      END
                    END
                  )
                )
              )
            )
            WHEN p.ms_course = 'PPMS'
            THEN (
              (
                rel_1.rand_score - rel_1.lowest_since_20150301 >= CASE WHEN rel_1.rand_score >= 5.5 THEN 0.5 ELSE 1.0 END
              )
              AND (
                CASE
                  WHEN NOT (
                    COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                  )
                  THEN NULL
                  ELSE CASE
                    WHEN COALESCE(agg_mri.a0, 0) > 0
                    THEN TRUE
                    WHEN COALESCE(agg_mri.a1, 0) > 0
                    THEN NULL
                    ELSE FALSE
                  END
                END
              )
              AND (
                p.ms_csf_oligoclonal_bands = TRUE
              )
            )
            ELSE FALSE
          END
        )
      END
    ) AS e2,
    (
      CASE
        WHEN p.ms_course IS NULL
        THEN NULL
        WHEN p.ms_course <> 'PPMS'
        THEN FALSE
        ELSE NOT (
          CASE
            WHEN p.ms_course IS NULL
            THEN NULL
            WHEN p.ms_course = 'RRMS'
            THEN (
              (
                CASE
                  WHEN NOT (
                    COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
                  )
                  THEN NULL
                  ELSE COALESCE(rel_0.covered_days, 0) >= 365
                END
              )
              AND (
                (
                  (
                    CASE
                      WHEN NOT (
                        COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                      )
                      THEN NULL
                      ELSE COALESCE(agg_relapses.a1, 0) >= 1
                    END
                  )
                  OR (
                    CASE
                      WHEN NOT (
                        COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                      )
                      THEN NULL
                      ELSE COALESCE(agg_relapses.a2, 0) >= 2
                    END
                  )
                  OR (
                    CASE
                      WHEN NOT (
                        COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                      )
                      THEN NULL
                      ELSE CASE
                        WHEN COALESCE(agg_mri.a0, 0) > 0
                        THEN TRUE
                        WHEN COALESCE(agg_mri.a1, 0) > 0
                        THEN NULL
                        ELSE FALSE
                      END
                    END
                  )
                )
              )
            )
            WHEN p.ms_course = 'SPMS'
            THEN (
              (
                CASE
                  WHEN NOT (
                    COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
                  )
                  THEN NULL
                  ELSE COALESCE(rel_0.covered_days, 0) >= 365
                END
              )
              AND (
                rel_1.rand_score - rel_1.lowest_since_20150301 >= CASE WHEN rel_1.rand_score >= 5.5 THEN 0.5 ELSE 1.0 END
              )
              AND (
                (
                  (
                    CASE
                      WHEN NOT (
                        COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
                      )
                      THEN NULL
                      ELSE COALESCE(agg_relapses.a1, 0) >= 1
                    END
                  )
                  OR (
                    CASE
                      WHEN NOT (
                        COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                      )
                      THEN NULL
                      ELSE CASE
                        WHEN COALESCE(agg_mri.a0, 0) > 0
                        THEN TRUE
                        WHEN COALESCE(agg_mri.a1, 0) > 0
                        THEN NULL
                        ELSE FALSE
                      END
                    END
                  )
                )
              )
            )
            WHEN p.ms_course = 'PPMS'
            THEN (
              (
                rel_1.rand_score - rel_1.lowest_since_20150301 >= CASE WHEN rel_1.rand_score >= 5.5 THEN 0.5 ELSE 1.0 END
              )
              AND (
                CASE
                  WHEN NOT (
                    COALESCE(p.mri_recorded, FALSE) OR COALESCE(agg_mri.a2, 0) > 0
                  )
                  THEN NULL
                  ELSE CASE
                    WHEN COALESCE(agg_mri.a0, 0) > 0
                    THEN TRUE
                    WHEN COALESCE(agg_mri.a1, 0) > 0
                    THEN NULL
                    ELSE FALSE
                  END
                END
              )
              AND (
                p.ms_csf_oligoclonal_bands = TRUE
              )
            )
            ELSE FALSE
          END
        )
      END
    ) AS e3,
    (
      CASE
        WHEN NOT (
          COALESCE(p.conditions_recorded, FALSE) OR COALESCE(agg_conditions.a1, 0) > 0
        )
        THEN NULL
        ELSE COALESCE(agg_conditions.a0, 0) > 0
      END
    ) AS e4,
    (
      CASE
        WHEN NOT (
          COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
        )
        THEN NULL
        ELSE COALESCE(agg_therapies.a1, 0) > 0
      END
    ) AS e5,
    (
      CASE
        WHEN NOT (
          COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
        )
        THEN NULL
        ELSE COALESCE(agg_therapies.a2, 0) > 0
      END
    ) AS e6,
    (
      (
        (
          CASE
            WHEN NOT (
              COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
            )
            THEN NULL
            ELSE COALESCE(agg_therapies.a3, 0) > 0
          END
        )
        OR (
          CASE
            WHEN NOT (
              COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
            )
            THEN NULL
            ELSE COALESCE(agg_therapies.a4, 0) > 0
          END
        )
      )
    ) AS e7,
    (
      CASE
        WHEN NOT (
          COALESCE(p.therapies_recorded, FALSE) OR COALESCE(agg_therapies.a0, 0) > 0
        )
        THEN NULL
        ELSE COALESCE(agg_therapies.a5, 0) > 0
      END
    ) AS e8,
    (
      CASE
        WHEN NOT (
          COALESCE(p.relapses_recorded, FALSE) OR COALESCE(agg_relapses.a0, 0) > 0
        )
        THEN NULL
        ELSE COALESCE(agg_relapses.a3, 0) >= 1
      END
    ) AS e9,
    (
      CASE
        WHEN NOT (
          COALESCE(p.conditions_recorded, FALSE) OR COALESCE(agg_conditions.a1, 0) > 0
        )
        THEN NULL
        ELSE CASE
          WHEN COALESCE(agg_conditions.a2, 0) > 0
          THEN TRUE
          WHEN COALESCE(agg_conditions.a3, 0) > 0
          THEN NULL
          ELSE FALSE
        END
      END
    ) AS e10,
    (
      CASE
        WHEN NOT (
          COALESCE(p.conditions_recorded, FALSE) OR COALESCE(agg_conditions.a1, 0) > 0
        )
        THEN NULL
        ELSE COALESCE(agg_conditions.a4, 0) > 0
      END
    ) AS e11,
    (
      (
        (
          CASE
            WHEN NOT (
              COALESCE(p.conditions_recorded, FALSE) OR COALESCE(agg_conditions.a1, 0) > 0
            )
            THEN NULL
            ELSE COALESCE(agg_conditions.a5, 0) > 0
          END
        )
        OR (
          CASE
            WHEN agg_labs.a0 IS NULL
            THEN NULL
            WHEN agg_labs.a1 = agg_labs.a0
            THEN TRUE
            WHEN agg_labs.a2 = agg_labs.a0
            THEN NULL
            ELSE FALSE
          END
        )
      )
    ) AS e12,
    (
      (
        (
          p.pregnant = TRUE
        )
        OR (
          (
            (
              p.childbearing_potential = TRUE
            )
            AND (
              p.willing_to_use_contraception = FALSE
            )
          )
        )
      )
    ) AS e13,
    (
      (
        (
          CASE
            WHEN NOT NOT agg_labs.a3 IS NULL
            THEN NULL
            ELSE COALESCE(agg_labs.a4 = agg_labs.a3, FALSE)
          END
        )
        OR (
          CASE
            WHEN NOT (
              COALESCE(p.conditions_recorded, FALSE) OR COALESCE(agg_conditions.a1, 0) > 0
            )
            THEN NULL
            ELSE COALESCE(agg_conditions.a6, 0) > 0
          END
        )
        OR (
          p.can_undergo_mri = FALSE
        )
      )
    ) AS e14,
    (
      CASE
        WHEN NOT (
          COALESCE(p.allergies_recorded, FALSE) OR COALESCE(agg_allergies.a1, 0) > 0
        )
        THEN NULL
        ELSE COALESCE(agg_allergies.a0, 0) > 0
      END
    ) AS e15,
    (
      p.able_to_consent = FALSE
    ) AS e16,
    (
      p.in_other_trial = TRUE
    ) AS e17,
    (
      p.able_to_adhere = FALSE
    ) AS e18
  FROM patients AS p
  LEFT JOIN agg_therapies
    ON agg_therapies.patient_key = p.patient_key
  LEFT JOIN agg_relapses
    ON agg_relapses.patient_key = p.patient_key
  LEFT JOIN agg_mri
    ON agg_mri.patient_key = p.patient_key
  LEFT JOIN agg_conditions
    ON agg_conditions.patient_key = p.patient_key
  LEFT JOIN agg_labs
    ON agg_labs.patient_key = p.patient_key
  LEFT JOIN agg_allergies
    ON agg_allergies.patient_key = p.patient_key
  LEFT JOIN rel_0
    ON rel_0.patient_key = p.patient_key
  LEFT JOIN rel_1
    ON rel_1.patient_key = p.patient_key
) AS verdicts
ORDER BY
  patient_key;
