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
  mri$gel_volume <- mri$gel_volume_mm3
  mri$bh_volume <- mri$black_hole_volume_mm3
  tot <- aggregate(cbind(gel_total = gel_count, cua_total = cua_count, gel_volume = gel_volume,
                         bh_volume = bh_volume, n_scans = one) ~ participant_id + period, data = mri, FUN = sum)
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
  theta <- exp(unname(par[nm %in% c("betadisp", "betad")]))
  list(terms = terms, theta = if (length(theta)) theta else Inf,
       sd = exp(unname(par[nm == "theta"])), loglik = -obj$fn(par), max_gradient = max(abs(obj$gr(par))))
}

# At theta -> infinity (no overdispersion) the NB2 fit's limit is the Poisson fit; glmmTMB then stops at some
# theta ~1e7-1e10 where TMB's lgamma(y + theta) - lgamma(theta) has lost ~1e-4 of precision, so the reference
# there is the Poisson model itself (family = poisson), with theta reported as "Inf".
THETA_BOUNDARY <- 1e5
fit_glmmtmb <- function(formula, data) {
  out <- polished(glmmTMB(formula, family = nbinom2, data = data))
  if (out$theta > THETA_BOUNDARY) {
    out <- polished(glmmTMB(formula, family = poisson, data = data))
    out$theta <- "Inf"
  }
  out
}

fit_glm_nb <- function(formula, data) {
  nb <- suppressWarnings(glm.nb(formula, data = data, control = glm.control(epsilon = 1e-12, maxit = 100)))
  if (nb$theta > THETA_BOUNDARY) {
    return(list(terms = coef_table(summary(glm(formula, family = poisson, data = data))$coefficients),
                theta = "Inf"))
  }
  list(terms = coef_table(summary(nb)$coefficients), theta = nb$theta, se_theta = nb$SE.theta)
}

# Poisson GLM with participant-clustered sandwich SEs, small-sample factor G/(G-1) * (N-1)/(N-K) as statsmodels.
relapse_ref <- function(path) {
  d <- read.csv(path, stringsAsFactors = FALSE)
  if (nrow(d) == 0 || any(tapply(d$relapses, d$treatment, sum) == 0)) return(NULL)
  d$treatment <- factor(d$treatment, levels = c("PLACEBO", "MSC"))
  d$period <- factor(d$period, levels = c(1, 2))
  f <- glm(relapses ~ treatment + period + offset(log(exposure_days / 365.25)), family = poisson, data = d)
  X <- model.matrix(f); r <- d$relapses - fitted(f)
  bread <- solve(t(X) %*% (X * fitted(f)))
  scores <- rowsum(X * r, d$participant_id)
  G <- nrow(scores); N <- nrow(X); K <- ncol(X)
  V <- bread %*% crossprod(scores) %*% bread * G / (G - 1) * (N - 1) / (N - K)
  se <- sqrt(diag(V)); b <- coef(f)
  terms <- list()
  for (k in seq_along(b)) terms[[names(b)[k]]] <- list(coef = unname(b[k]), se = unname(se[k]),
                                                       p = 2 * pnorm(-abs(unname(b[k] / se[k]))))
  list(terms = terms)
}

# Within-participant volume comparison: wilcox.test on (active - placebo) mean volume per scan; lmer (ML).
volume_ref <- function(tot, column) {
  tot$v <- tot[[column]] / tot$n_scans
  both <- names(which(table(tot$participant_id) == 2))
  w <- tot[tot$participant_id %in% both, ]
  act <- w[w$treatment == "MSC", ]; pla <- w[w$treatment == "PLACEBO", ]
  d <- act$v[order(act$participant_id)] - pla$v[order(pla$participant_id)]
  out <- list()
  if (any(d != 0)) out$wilcoxon_p <- suppressWarnings(wilcox.test(d, correct = TRUE))$p.value
  tot$log_v <- log1p(tot$v); tot$active <- as.numeric(tot$treatment == "MSC")
  tot$late <- as.numeric(tot$period == "2")
  m <- lme4::lmer(log_v ~ active + late + (1 | participant_id), data = tot, REML = FALSE)
  out$loglinear <- list(coef = unname(lme4::fixef(m)[["active"]]),
                        se = unname(sqrt(diag(as.matrix(vcov(m))))[2]))
  out
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
  res$crossover <- fit_glmmtmb(gel_total ~ treatment + period + offset(log(n_scans)) + (1 | participant_id), tot)
  p1 <- tot[tot$period == 1, ]
  res$period1 <- fit_glm_nb(gel_total ~ treatment + offset(log(n_scans)), p1)
  both <- names(which(table(tot$participant_id) == 2))
  pt <- aggregate(cbind(total = gel_total, n_scans = n_scans) ~ participant_id + sequence,
                  data = tot[tot$participant_id %in% both, ], FUN = sum)
  pt$sequence <- factor(pt$sequence, levels = c("MSC-PLACEBO", "PLACEBO-MSC"))
  res$carryover <- fit_glm_nb(total ~ sequence + offset(log(n_scans)), pt)
  for (sq in c("MSC-PLACEBO", "PLACEBO-MSC")) {
    res[[paste0("within_", sq)]] <- fit_glmmtmb(gel_total ~ period + offset(log(n_scans)) + (1 | participant_id),
                                                tot[tot$sequence == sq, ])
  }
  res$cua_crossover <- fit_glmmtmb(cua_total ~ treatment + period + offset(log(n_scans)) + (1 | participant_id),
                                   tot)
  res$cua_period1 <- fit_glm_nb(cua_total ~ treatment + offset(log(n_scans)), p1)
  rel <- relapse_ref(file.path(dir, "relapse_counts.csv"))
  if (!is.null(rel)) res$relapses <- rel
  res$gel_volume <- volume_ref(tot, "gel_volume")
  res$black_hole_volume <- volume_ref(tot, "bh_volume")
  res$survival_period1 <- survival_refs(file.path(dir, "tte_period1.csv"))
  res$survival_period2 <- survival_refs(file.path(dir, "tte_period2.csv"))
  res$survival_study <- survival_refs(file.path(dir, "tte_study.csv"))
  results[[basename(dir)]] <- res
}
write(toJSON(results, auto_unbox = TRUE, digits = NA, null = "null"), out_path)
