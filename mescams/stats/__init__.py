"""The statistical analysis plan of MESCAMS, executable and validated number for number against R.

Read (contract: shared analysis-data folder)  ->  derive  ->  fit  ->  results JSON and DSMB report::

    analysis_data.py   read and check the folder (AnalysisDataError names file, line, column)
    datasets.py        ADSL-like subjects, period lesion totals, AE attribution, relapse counts with exposure
    nb2/               the NB2 models (GLM as MASS::glm.nb, random intercept as glmmTMB nbinom2): likelihood with
                       exact derivatives, one optimiser, NumPy and compiled engines for batches of trials
    crossover.py       the contract's GEL/CUA models, period-1 model, carry-over, within-sequence comparison
    volumes.py         Wilcoxon signed-rank + Hodges-Lehmann, log-linear random-intercept model (lmer ML)
    relapses.py        Poisson rate ratio with exposure offset, participant-clustered SEs
    survival.py        time to sustained progression (core rule): KM, log-rank, Cox (Efron)
    safety.py          AE incidence by treatment received, Clopper-Pearson CIs
    analysis.py        runs the whole plan; results() is the contract's results object
    report/            DSMB report: figures (matplotlib), HTML (Jinja2), PDF (WeasyPrint)
    synthetic.py       seeded generator of contract folders (tests, benchmark)
    validation.py      scenarios, comparison with R (r/reference.R), cache regeneration
"""
