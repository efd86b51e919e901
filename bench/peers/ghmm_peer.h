/* Thin C adapter around GHMM (Debian libghmm-dev 0.9~rc3) so the C++ benchmark can
 * time GHMM as a peer on the same models and data. Plain C, no GHMM types leak out,
 * so the benchmark never has to include GHMM's headers.
 *
 * Conventions shared by all functions:
 *  - log values are natural logs (GHMM computes them with log()).
 *  - No per-call allocation in the adapter itself once its scratch buffers have grown
 *    to the largest T / nseq seen; whatever GHMM allocates internally is GHMM's cost.
 *  - Models are not thread-safe (each owns mutable scratch).
 */
#ifndef HANZO_BENCH_GHMM_PEER_H
#define HANZO_BENCH_GHMM_PEER_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ghmm_peer_discrete ghmm_peer_discrete;
/* N states, M symbols; pi[N], A[N*N] row-major (A[i*N+j] = P(j|i)), B[N*M] row-major (B[i*M+k]=P(k|i)). NULL on failure. */
ghmm_peer_discrete* ghmm_peer_discrete_create(int N, int M, const double* pi, const double* A, const double* B);
void ghmm_peer_discrete_free(ghmm_peer_discrete* m);
/* log P(obs|model) via GHMM's forward algorithm; obs values in [0,M). Returns 0 on success, nonzero on GHMM error. */
int ghmm_peer_discrete_forward(ghmm_peer_discrete* m, const int* obs, int T, double* log_likelihood);
/* Viterbi: writes the state path (T ints) and its log-probability. */
int ghmm_peer_discrete_viterbi(ghmm_peer_discrete* m, const int* obs, int T, int* path, double* log_probability);
/* Exactly ONE Baum-Welch re-estimation iteration over nseq sequences (updates the model in place). */
int ghmm_peer_discrete_baum_welch_step(ghmm_peer_discrete* m, const int* const* seqs, const int* lens, int nseq);
/* Read back the current parameters (same layouts as create). */
void ghmm_peer_discrete_params(const ghmm_peer_discrete* m, double* pi, double* A, double* B);

typedef struct ghmm_peer_gauss ghmm_peer_gauss;
/* Diagonal Gaussian emissions with D dims: means[N*D], variances[N*D]. GHMM has no diagonal family, so use its
   multivariate normal (full covariance) with a diagonal covariance matrix. */
ghmm_peer_gauss* ghmm_peer_gauss_create(int N, int D, const double* pi, const double* A, const double* means, const double* variances);
void ghmm_peer_gauss_free(ghmm_peer_gauss* m);
/* obs: T*D doubles row-major (observation t is obs[t*D .. t*D+D)). */
int ghmm_peer_gauss_forward(ghmm_peer_gauss* m, const double* obs, int T, double* log_likelihood);

/* Extra: GHMM reports errors/warnings (impossible sequence, invalid model, ...) as
   "ERROR: ..." / "WARNING: ..." lines on stderr. Nonzero silences all of them
   (process-wide GHMM log level); 0 restores GHMM's default. Nothing is printed on
   the success paths, and nothing goes to stdout. */
void ghmm_peer_set_quiet(int quiet);

#ifdef __cplusplus
}
#endif

#endif
