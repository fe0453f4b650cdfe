# Reference fits in R for the validation of mescams.stats (run by mescams.stats.validation, tests and CI).
#
# Usage: Rscript reference.R OUT.json DIR [DIR ...]
# Each DIR is an analysis-data folder (contract: participants.csv, mri.csv, ...) plus tte_period1.csv and
# tte_study.csv (participant_id, group, time, event) written by the Python side from the clinical core's
# progression rule. Period totals are derived HERE from mri.csv, independently of the Python derivation.
suppressPackageStartupMessages({
  library(glmmTMB); library(MASS); library(survival); library(jsonlite)
})

coef_table <- function(m) {
  out <- list()
  for (term in rownames(m)) out[[term]] <- list(coef = m[term, 1], se = m[term, 2], p = m[term, 4])
  out
}

period_totals <- function(dir) {
  people <- read.csv(file.path(dir, "participants.csv"), stringsAsFactors = FALSE)
  mri <- read.csv(file.path(dir, "mri.csv"), stringsAsFactors = FALSE)
  mri <- mri[mri$week > 0, ]
  mri$period <- ifelse(mri$week <= 24, 1L, 2L)
  mri$one <- 1L
  tot <- aggregate(cbind(gel_total = gel_count, n_scans = one) ~ participant_id + period, data = mri, FUN = sum)
  tot$sequence <- people$sequence[match(tot$participant_id, people$participant_id)]
  first <- ifelse(tot$sequence == "MSC-PLACEBO", "MSC", "PLACEBO")
  second <- ifelse(tot$sequence == "MSC-PLACEBO", "PLACEBO", "MSC")
  tot$treatment <- factor(ifelse(tot$period == 1, first, second), levels = c("PLACEBO", "MSC"))
  tot$period <- factor(tot$period, levels = c(1, 2))
  tot
}

survival_refs <- function(path) {
  d <- read.csv(path, stringsAsFactors = FALSE)
  groups <- sort(unique(d$group))
  km <- list()
  for (g in groups) {
    s <- survfit(Surv(time, event) ~ 1, data = d[d$group == g, ], conf.type = "log-log")
    km[[g]] <- list(time = s$time, surv = s$surv, lower = s$lower, upper = s$upper)
  }
  out <- list(km = km)
  if (length(groups) == 2 && sum(d$event) > 0) {
    lr <- survdiff(Surv(time, event) ~ group, data = d)
    out$logrank <- list(chisq = unname(lr$chisq), p = pchisq(unname(lr$chisq), 1, lower.tail = FALSE))
    ev <- tapply(d$event, d$group, sum)
    if (all(ev > 0)) {
      treated <- if ("MSC" %in% groups) "MSC" else groups[2]
      d$treated <- as.numeric(d$group == treated)
      cx <- summary(coxph(Surv(time, event) ~ treated, data = d, ties = "efron",
                          control = coxph.control(eps = 1e-12, iter.max = 100)))$coefficients
      out$cox <- list(coef = cx[1, "coef"], se = cx[1, "se(coef)"], p = cx[1, "Pr(>|z|)"])
    }
  }
  out
}

# glmmTMB's nlminb stops where the gradient of its own Laplace objective is still ~1e-4 on flat likelihoods,
# which moves a near-zero coefficient by ~1e-4 relative. So the reference is glmmTMB's objective (TMB's
# Laplace approximation and its gradient) taken to its optimum by Newton steps, with the Wald covariance from
# the Hessian there (what sdreport does at the optimum). crossover_raw keeps glmmTMB's own summary.
polished <- function(mm) {
  obj <- mm$obj
  par <- mm$fit$par
  for (i in 1:20) {
    g <- obj$gr(par)
    if (max(abs(g)) < 1e-10) break
    par <- par - solve(optimHess(par, obj$fn, obj$gr), as.numeric(g))
  }
  V <- solve(optimHess(par, obj$fn, obj$gr))
  nm <- names(par)
  b <- which(nm == "beta")
  se <- sqrt(diag(V))[b]
  terms <- list()
  cn <- colnames(getME(mm, "X"))
  for (k in seq_along(b)) {
    terms[[cn[k]]] <- list(coef = unname(par[b[k]]), se = unname(se[k]),
                           p = 2 * pnorm(-abs(unname(par[b[k]] / se[k]))))
  }
  list(terms = terms, theta = exp(unname(par[nm %in% c("betadisp", "betad")])),
       sd = exp(unname(par[nm == "theta"])), loglik = -obj$fn(par), max_gradient = max(abs(obj$gr(par))))
}

args <- commandArgs(trailingOnly = TRUE)
out_path <- args[1]
results <- list()
for (dir in args[-1]) {
  tot <- period_totals(dir)
  res <- list()
  mm <- glmmTMB(gel_total ~ treatment + period + offset(log(n_scans)) + (1 | participant_id),
                family = nbinom2, data = tot)
  res$crossover_raw <- list(terms = coef_table(summary(mm)$coefficients$cond), theta = sigma(mm),
                            sd = unname(attr(VarCorr(mm)$cond$participant_id, "stddev")),
                            loglik = as.numeric(logLik(mm)), pdHess = mm$sdr$pdHess)
  res$crossover <- polished(mm)
  p1 <- tot[tot$period == 1, ]
  nb <- glm.nb(gel_total ~ treatment + offset(log(n_scans)), data = p1,
               control = glm.control(epsilon = 1e-12, maxit = 100))
  res$period1 <- list(terms = coef_table(summary(nb)$coefficients), theta = nb$theta, se_theta = nb$SE.theta)
  both <- names(which(table(tot$participant_id) == 2))
  pt <- aggregate(cbind(total = gel_total, n_scans = n_scans) ~ participant_id + sequence,
                  data = tot[tot$participant_id %in% both, ], FUN = sum)
  pt$sequence <- factor(pt$sequence, levels = c("MSC-PLACEBO", "PLACEBO-MSC"))
  co <- glm.nb(total ~ sequence + offset(log(n_scans)), data = pt, control = glm.control(epsilon = 1e-12, maxit = 100))
  res$carryover <- list(terms = coef_table(summary(co)$coefficients), theta = co$theta)
  res$survival_period1 <- survival_refs(file.path(dir, "tte_period1.csv"))
  res$survival_study <- survival_refs(file.path(dir, "tte_study.csv"))
  results[[basename(dir)]] <- res
}
write(toJSON(results, auto_unbox = TRUE, digits = NA, null = "null"), out_path)
