# Fit the crossover NB2 mixed model with glmmTMB to every simulated trial of a long CSV, in one R process.
# Usage: Rscript glmmtmb_batch.R IN.csv OUT.csv
# IN.csv columns: trial, participant, period (1/2), treatment (0/1), y, n_scans.
# OUT.csv: one row per trial with the estimates, standard errors, theta, random-intercept SD, log-likelihood
# and the elapsed seconds of the fits alone (reading and writing excluded).
suppressPackageStartupMessages(library(glmmTMB))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d$period <- factor(d$period, levels = c(1, 2))
d$participant <- factor(d$participant)
out <- list()
started <- proc.time()[["elapsed"]]
for (t in unique(d$trial)) {
  one <- d[d$trial == t, ]
  fit <- tryCatch(
    suppressWarnings(glmmTMB(y ~ treatment + period + offset(log(n_scans)) + (1 | participant),
                             family = nbinom2, data = one)),
    error = function(e) NULL)
  if (is.null(fit)) {
    out[[length(out) + 1]] <- data.frame(trial = t, ok = FALSE)
    next
  }
  b <- fixef(fit)$cond
  se <- sqrt(diag(vcov(fit)$cond))
  out[[length(out) + 1]] <- data.frame(
    trial = t, ok = TRUE, b0 = b[[1]], b_trt = b[["treatment"]], b_per = b[["period2"]],
    se0 = se[[1]], se_trt = se[["treatment"]], se_per = se[["period2"]], theta = sigma(fit),
    sd = attr(VarCorr(fit)$cond$participant, "stddev")[[1]], loglik = as.numeric(logLik(fit)),
    pdHess = fit$sdr$pdHess)
}
elapsed <- proc.time()[["elapsed"]] - started
res <- do.call(rbind, lapply(out, function(x) {
  for (k in c("b0", "b_trt", "b_per", "se0", "se_trt", "se_per", "theta", "sd", "loglik", "pdHess"))
    if (!k %in% names(x)) x[[k]] <- NA
  x
}))
res$elapsed_total <- elapsed
write.csv(res, args[2], row.names = FALSE)
