# Time glmmTMB on period-total files for bench/bench_nbmm.py: one R process, one warm-up fit, then only the
# fits are timed. Usage: Rscript bench_glmmtmb.R OUT.json FILE.csv [FILE.csv ...]
suppressPackageStartupMessages({ library(glmmTMB); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
files <- args[-1]
read_totals <- function(f) {
  d <- read.csv(f, stringsAsFactors = FALSE)
  d$treatment <- factor(d$treatment, levels = c("PLACEBO", "MSC"))
  d$period <- factor(d$period, levels = c(1, 2))
  d
}
fit <- function(d) glmmTMB(gel_total ~ treatment + period + offset(log(n_scans)) + (1 | participant_id),
                           family = nbinom2, data = d)
invisible(fit(read_totals(files[1])))  # warm-up: loading and first-call costs are not timed
data <- lapply(files, read_totals)
seconds <- numeric(length(files)); estimate <- numeric(length(files))
for (i in seq_along(data)) {
  t0 <- proc.time()[["elapsed"]]
  m <- fit(data[[i]])
  seconds[i] <- proc.time()[["elapsed"]] - t0
  estimate[i] <- fixef(m)$cond[["treatmentMSC"]]
}
write(toJSON(list(seconds = seconds, estimate = estimate), digits = NA), args[1])
