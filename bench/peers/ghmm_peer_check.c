/* Self-check for the GHMM peer: every GHMM result is compared against a small,
 * deliberately naive reference computed here, so a convention mismatch (log base,
 * T vs T*D, pivots, an extra BW iteration...) shows up as a FAIL, not as a fast peer. */
#include "ghmm_peer.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ATLAS-style entry points from clapack_stubs.c, and GHMM's consumer of two of them. */
int clapack_dgetrf(const int Order, const int M, const int N, double* A, const int lda, int* ipiv);
int clapack_dgetri(const int Order, const int N, double* A, const int lda, const int* ipiv);
int clapack_dpotrf(const int Order, const int Uplo, const int N, double* A, const int lda);
int ighmm_invert_det(double* sigmainv, double* det, int length, double* cov);
enum { RowMajor = 101, ColMajor = 102, Upper = 121 };

static int failures = 0;

static void check(int ok, const char* name, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("%s %s: ", ok ? "PASS" : "FAIL", name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (!ok) ++failures;
}

static double rel(double a, double b) { return fabs(a - b) / fmax(fabs(b), 1e-300); }

/* ------------------------ naive discrete references ------------------------ */

/* Unscaled forward/backward: fine for the short sequences used here (P > 1e-120). */
static double ref_forward(int N, int M, const double* pi, const double* A, const double* B,
                          const int* o, int T, double* alpha /* T*N or NULL */) {
    double a[16], na[16];
    for (int i = 0; i < N; ++i) a[i] = pi[i] * B[i * M + o[0]];
    if (alpha) memcpy(alpha, a, sizeof(double) * N);
    for (int t = 1; t < T; ++t) {
        for (int j = 0; j < N; ++j) {
            double s = 0;
            for (int i = 0; i < N; ++i) s += a[i] * A[i * N + j];
            na[j] = s * B[j * M + o[t]];
        }
        memcpy(a, na, sizeof(double) * N);
        if (alpha) memcpy(alpha + t * N, a, sizeof(double) * N);
    }
    double p = 0;
    for (int i = 0; i < N; ++i) p += a[i];
    return p;
}

static double ref_viterbi(int N, int M, const double* pi, const double* A, const double* B,
                          const int* o, int T, int* path) {
    double d[16], nd[16];
    int* bp = malloc(sizeof(int) * T * N);
    for (int i = 0; i < N; ++i) d[i] = log(pi[i]) + log(B[i * M + o[0]]);
    for (int t = 1; t < T; ++t) {
        for (int j = 0; j < N; ++j) {
            int best = 0;
            for (int i = 1; i < N; ++i)
                if (d[i] + log(A[i * N + j]) > d[best] + log(A[best * N + j])) best = i;
            nd[j] = d[best] + log(A[best * N + j]) + log(B[j * M + o[t]]);
            bp[t * N + j] = best;
        }
        memcpy(d, nd, sizeof(double) * N);
    }
    int last = 0;
    for (int i = 1; i < N; ++i)
        if (d[i] > d[last]) last = i;
    path[T - 1] = last;
    for (int t = T - 1; t > 0; --t) path[t - 1] = bp[t * N + path[t]];
    free(bp);
    return d[last];
}

/* One textbook multi-sequence Baum-Welch update (each sequence weighted 1). */
static void ref_bw_step(int N, int M, double* pi, double* A, double* B, int** seqs,
                        const int* lens, int K) {
    double pin[16] = {0}, an[256] = {0}, ad[16] = {0}, bn[256] = {0}, bd[16] = {0};
    for (int k = 0; k < K; ++k) {
        const int* o = seqs[k];
        int T = lens[k];
        double* al = malloc(sizeof(double) * T * N);
        double* be = malloc(sizeof(double) * T * N);
        double P = ref_forward(N, M, pi, A, B, o, T, al);
        for (int i = 0; i < N; ++i) be[(T - 1) * N + i] = 1.0;
        for (int t = T - 2; t >= 0; --t)
            for (int i = 0; i < N; ++i) {
                double s = 0;
                for (int j = 0; j < N; ++j)
                    s += A[i * N + j] * B[j * M + o[t + 1]] * be[(t + 1) * N + j];
                be[t * N + i] = s;
            }
        for (int i = 0; i < N; ++i) {
            pin[i] += al[i] * be[i] / P;
            for (int t = 0; t < T; ++t) {
                double g = al[t * N + i] * be[t * N + i] / P;
                bn[i * M + o[t]] += g, bd[i] += g;
                if (t == T - 1) continue;
                ad[i] += g;
                for (int j = 0; j < N; ++j)
                    an[i * N + j] += al[t * N + i] * A[i * N + j] * B[j * M + o[t + 1]] *
                                     be[(t + 1) * N + j] / P;
            }
        }
        free(al), free(be);
    }
    for (int i = 0; i < N; ++i) {
        pi[i] = pin[i] / K;
        for (int j = 0; j < N; ++j) A[i * N + j] = an[i * N + j] / ad[i];
        for (int m = 0; m < M; ++m) B[i * M + m] = bn[i * M + m] / bd[i];
    }
}

static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void) { /* xorshift64*, deterministic across runs */
    rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}
static int draw(const double* p, int n) {
    double u = urand(), c = 0;
    for (int i = 0; i < n - 1; ++i)
        if (u < (c += p[i])) return i;
    return n - 1;
}

/* ------------------------------- the checks ------------------------------- */

static const double die_pi[2] = {.5, .5};
static const double die_A[4] = {.7, .3, .4, .6};
static const double die_B[12] = {1. / 6, 1. / 6, 1. / 6, 1. / 6, 1. / 6, 1. / 6,
                                 .1,     .1,     .1,     .1,     .1,     .5};

static void check_die(void) {
    ghmm_peer_discrete* m = ghmm_peer_discrete_create(2, 6, die_pi, die_A, die_B);
    check(m != NULL, "die/create", "N=2 M=6");
    if (!m) return;
    const int obs[5] = {5, 5, 5, 0, 1}; /* faces 6,6,6,1,2 */
    double ll = 0;
    int rc = ghmm_peer_discrete_forward(m, obs, 5, &ll);
    double p_ref = ref_forward(2, 6, die_pi, die_A, die_B, obs, 5, NULL);
    check(rc == 0 && rel(exp(ll), 7.1128e-4) < 1e-3, "die/forward~7.1128e-4",
          "rc=%d P=%.6e (log %.12f)", rc, exp(ll), ll);
    check(rc == 0 && rel(exp(ll), p_ref) < 1e-12, "die/forward==reference",
          "P=%.15e ref=%.15e rel=%.2e", exp(ll), p_ref, rel(exp(ll), p_ref));

    int path[5] = {-1, -1, -1, -1, -1}, rpath[5];
    double vlp = 0;
    rc = ghmm_peer_discrete_viterbi(m, obs, 5, path, &vlp);
    const int want[5] = {1, 1, 1, 0, 0}; /* Loaded x3, Fair x2 */
    check(rc == 0 && !memcmp(path, want, sizeof want), "die/viterbi-path",
          "rc=%d path=%d%d%d%d%d (0=Fair 1=Loaded)", rc, path[0], path[1], path[2], path[3],
          path[4]);
    double vref = ref_viterbi(2, 6, die_pi, die_A, die_B, obs, 5, rpath);
    check(rc == 0 && rel(vlp, vref) < 1e-12, "die/viterbi-logprob",
          "ghmm=%.15f ref=%.15f (natural log)", vlp, vref);
    ghmm_peer_discrete_free(m);

    /* Error path: an impossible sequence must come back as nonzero, not as a number.
       Quiet so GHMM's expected WARNING line does not clutter the check output. */
    const double I2[4] = {1, 0, 0, 1};
    ghmm_peer_discrete* z = ghmm_peer_discrete_create(2, 2, die_pi, I2, I2);
    const int imp[2] = {0, 1};
    ghmm_peer_set_quiet(1);
    rc = z ? ghmm_peer_discrete_forward(z, imp, 2, &ll) : 0;
    int rv = z ? ghmm_peer_discrete_viterbi(z, imp, 2, path, &vlp) : 0;
    ghmm_peer_set_quiet(0);
    check(z && rc != 0 && rv != 0, "die/impossible-sequence-is-error", "forward rc=%d viterbi rc=%d", rc, rv);
    ghmm_peer_discrete_free(z);
}

static void check_bw(void) {
    enum { K = 4, N = 2, M = 6 };
    int* seqs[K];
    int lens[K] = {60, 45, 80, 30};
    for (int k = 0; k < K; ++k) { /* sampled from the die model itself */
        seqs[k] = malloc(sizeof(int) * lens[k]);
        int s = draw(die_pi, N);
        for (int t = 0; t < lens[k]; ++t) {
            seqs[k][t] = draw(die_B + s * M, M);
            s = draw(die_A + s * N, N);
        }
    }
    double pi[N] = {.6, .4}, A[N * N] = {.8, .2, .25, .75};
    double B[N * M] = {.2, .15, .15, .2, .15, .15, .1, .1, .15, .1, .15, .4};
    ghmm_peer_discrete* m = ghmm_peer_discrete_create(N, M, pi, A, B);
    check(m != NULL, "bw/create", "N=2 M=6, %d sequences", K);
    if (!m) return;

    double before = 0, after = 0, ll;
    int ok = 1;
    for (int k = 0; k < K; ++k) ok &= !ghmm_peer_discrete_forward(m, seqs[k], lens[k], &ll), before += ll;
    int rc = ghmm_peer_discrete_baum_welch_step(m, (const int* const*)seqs, lens, K);
    check(rc == 0, "bw/step", "rc=%d", rc);
    for (int k = 0; k < K; ++k) ok &= !ghmm_peer_discrete_forward(m, seqs[k], lens[k], &ll), after += ll;
    check(ok && after >= before, "bw/loglik-nondecreasing", "before=%.10f after=%.10f", before, after);

    double gpi[N], gA[N * N], gB[N * M], worst = 0;
    ghmm_peer_discrete_params(m, gpi, gA, gB);
    double spi = 0;
    for (int i = 0; i < N; ++i) {
        double sa = 0, sb = 0;
        spi += gpi[i];
        for (int j = 0; j < N; ++j) sa += gA[i * N + j];
        for (int k = 0; k < M; ++k) sb += gB[i * M + k];
        worst = fmax(worst, fmax(fabs(sa - 1), fabs(sb - 1)));
    }
    worst = fmax(worst, fabs(spi - 1));
    check(worst < 1e-12, "bw/rows-sum-to-1", "max |sum-1| = %.2e", worst);

    /* Exactly one iteration: must equal one textbook update from the same start. */
    ref_bw_step(N, M, pi, A, B, seqs, lens, K);
    double d = 0;
    for (int i = 0; i < N; ++i) d = fmax(d, fabs(gpi[i] - pi[i]));
    for (int i = 0; i < N * N; ++i) d = fmax(d, fabs(gA[i] - A[i]));
    for (int i = 0; i < N * M; ++i) d = fmax(d, fabs(gB[i] - B[i]));
    check(d < 1e-10, "bw/one-step==reference", "max |ghmm-ref| = %.2e", d);

    ghmm_peer_discrete_free(m);
    for (int k = 0; k < K; ++k) free(seqs[k]);
}

/* Direct log-sum-exp forward with diagonal Gaussians. */
static double ref_gauss_forward(int N, int D, const double* pi, const double* A,
                                const double* mu, const double* var, const double* x, int T) {
    double la[16], nl[16], le[16];
    for (int t = 0; t < T; ++t) {
        for (int i = 0; i < N; ++i) {
            double s = 0;
            for (int d = 0; d < D; ++d) {
                double z = x[t * D + d] - mu[i * D + d];
                s += log(6.283185307179586476925 * var[i * D + d]) + z * z / var[i * D + d];
            }
            le[i] = -0.5 * s;
        }
        for (int j = 0; j < N; ++j) {
            if (t == 0) {
                nl[j] = log(pi[j]) + le[j];
                continue;
            }
            double mx = -INFINITY, s = 0;
            for (int i = 0; i < N; ++i) mx = fmax(mx, la[i] + log(A[i * N + j]));
            for (int i = 0; i < N; ++i) s += exp(la[i] + log(A[i * N + j]) - mx);
            nl[j] = mx + log(s) + le[j];
        }
        memcpy(la, nl, sizeof(double) * N);
    }
    double mx = -INFINITY, s = 0;
    for (int i = 0; i < N; ++i) mx = fmax(mx, la[i]);
    for (int i = 0; i < N; ++i) s += exp(la[i] - mx);
    return mx + log(s);
}

static void check_gauss_case(const char* name, int N, int D, const double* pi, const double* A,
                             const double* mu, const double* var, const double* x, int T) {
    ghmm_peer_gauss* g = ghmm_peer_gauss_create(N, D, pi, A, mu, var);
    if (!g) {
        check(0, name, "create failed");
        return;
    }
    double ll = 0;
    int rc = ghmm_peer_gauss_forward(g, x, T, &ll);
    double ref = ref_gauss_forward(N, D, pi, A, mu, var, x, T);
    check(rc == 0 && rel(ll, ref) < 1e-9, name, "rc=%d ghmm=%.12f ref=%.12f rel=%.2e", rc, ll,
          ref, rel(ll, ref));
    ghmm_peer_gauss_free(g);
}

static void check_gauss(void) {
    const double pi2[2] = {.6, .4}, A2[4] = {.9, .1, .2, .8};
    const double mu2[4] = {0, 0, 3, -1}, var2[4] = {1, .5, 2, .25};
    const double x2[12] = {.1, -.3, .5, .2, 2.8, -1.1, 3.5, -.7, 1.0, 0.4, -0.2, -0.1};
    check_gauss_case("gauss/N2D2-forward", 2, 2, pi2, A2, mu2, var2, x2, 6);

    /* Odd D: the determinant sign depends on 0-based ATLAS pivots in clapack_dgetrf. */
    const double pi3[3] = {.5, .3, .2}, A3[9] = {.8, .1, .1, .2, .7, .1, .25, .25, .5};
    const double mu3[9] = {0, 1, 2, -1, 0, 1, 2, 2, -2};
    const double var3[9] = {1, 2, .5, .3, 1.5, 1, 4, .2, .8};
    const double x3[15] = {.2, .8, 1.9, -1.2, .1, .7, 2.2, 1.7, -1.5, 0, 0, 0, 1, 2, -1};
    check_gauss_case("gauss/N3D3-forward", 3, 3, pi3, A3, mu3, var3, x3, 5);

    const double mu1[2] = {0, 2}, var1[2] = {1, .5}, x1[4] = {.1, 1.9, 2.2, -.4};
    check_gauss_case("gauss/N2D1-forward", 2, 1, pi2, A2, mu1, var1, x1, 4);
}

static void check_clapack(void) {
    /* Zero leading entry forces a row swap; det_ref by cofactor expansion. */
    const double A[9] = {0, 2, 1, 1, 1, 3, 4, -1, 2};
    double det_ref = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) +
                     A[2] * (A[3] * A[7] - A[4] * A[6]);
    for (int order = RowMajor; order <= ColMajor; ++order) {
        double LU[9];
        int ipiv[3];
        memcpy(LU, A, sizeof A);
        int r1 = clapack_dgetrf(order, 3, 3, LU, 3, ipiv);
        int r2 = clapack_dgetri(order, 3, LU, 3, ipiv);
        double err = 0; /* A*inv == I, both read in the same storage order */
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
                double s = 0;
                for (int k = 0; k < 3; ++k) s += A[i * 3 + k] * LU[k * 3 + j];
                err = fmax(err, fabs(s - (i == j)));
            }
        check(!r1 && !r2 && err < 1e-12, order == RowMajor ? "clapack/dgetrf+dgetri-row"
                                                           : "clapack/dgetrf+dgetri-col",
              "info=%d,%d max|A*inv-I|=%.2e pivots=%d,%d,%d", r1, r2, err, ipiv[0], ipiv[1],
              ipiv[2]);
    }
    double inv[9], det = 0, Ac[9];
    memcpy(Ac, A, sizeof A);
    ighmm_invert_det(inv, &det, 3, Ac);
    check(rel(det, det_ref) < 1e-12, "clapack/ighmm_invert_det-sign", "det=%.15g ref=%.15g",
          det, det_ref);

    const double S[9] = {4, 2, -2, 2, 10, 2, -2, 2, 6}; /* SPD */
    double U[9];
    memcpy(U, S, sizeof S);
    int r = clapack_dpotrf(RowMajor, Upper, 3, U, 3);
    double err = 0; /* U^T U == S using only the upper triangle */
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            double s = 0;
            for (int k = 0; k <= (i < j ? i : j); ++k) s += U[k * 3 + i] * U[k * 3 + j];
            err = fmax(err, fabs(s - S[i * 3 + j]));
        }
    check(!r && err < 1e-12, "clapack/dpotrf-row-upper", "info=%d max|U'U-S|=%.2e", r, err);
    check(clapack_dgetrf(RowMajor, 3, 3, U, 2, (int[3]){0}) < 0, "clapack/bad-lda-rejected",
          "returns negative info instead of LAPACK's XERBLA exit");
}

int main(void) {
    check_die();
    check_bw();
    check_gauss();
    check_clapack();
    printf("%s (%d failure%s)\n", failures ? "FAIL" : "PASS", failures, failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
