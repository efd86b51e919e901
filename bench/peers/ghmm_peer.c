/* GHMM peer adapter: builds dense GHMM models from plain arrays and forwards the timed
 * calls to GHMM with as little of our own work as possible (see ghmm_peer.h). */
#include "ghmm_peer.h"

#include <stdlib.h>
#include <string.h>

#include <ghmm/ghmm.h>
#include <ghmm/model.h>
#include <ghmm/foba.h>
#include <ghmm/viterbi.h>
#include <ghmm/reestimate.h>
#include <ghmm/sequence.h>
#include <ghmm/smodel.h>
#include <ghmm/sfoba.h>

/* Exported by libghmm but declared only in the uninstalled matrixop.h. */
extern int ighmm_invert_det(double* sigmainv, double* det, int length, double* cov);
extern int ighmm_cholesky_decomposition(double* sigmacd, int dim, double* cov);

/* Defined in clapack_stubs.c. Taking their addresses here makes ghmm_peer.o reference
   them, so a static-archive link pulls clapack_stubs.o in before -lghmm needs it
   (otherwise the archive is scanned first, nothing asks for the stubs, and libghmm.so's
   clapack_* references stay undefined). */
extern int clapack_dgetrf(const int, const int, const int, double*, const int, int*);
extern int clapack_dgetri(const int, const int, double*, const int, const int*);
extern int clapack_dpotrf(const int, const int, const int, double*, const int);
void (*const ghmm_peer_clapack_anchor[])(void) = {(void (*)(void))clapack_dgetrf,
                                                   (void (*)(void))clapack_dgetri,
                                                   (void (*)(void))clapack_dpotrf};

/* ---- forward scratch: GHMM's forward wants a caller-owned alpha[T][N] + scale[T] ---- */

typedef struct {
    double** rows;
    double* block;
    double* scale;
    int cap_T;
} fwd_scratch;

static int scratch_reserve(fwd_scratch* s, int T, int N) {
    if (T <= s->cap_T) return 0;
    double** rows = malloc(sizeof *rows * (size_t)T);
    double* block = malloc(sizeof *block * (size_t)T * (size_t)N);
    double* scale = malloc(sizeof *scale * (size_t)T);
    if (!rows || !block || !scale) {
        free(rows), free(block), free(scale);
        return -1;
    }
    for (int t = 0; t < T; ++t) rows[t] = block + (size_t)t * (size_t)N;
    free(s->rows), free(s->block), free(s->scale);
    s->rows = rows, s->block = block, s->scale = scale, s->cap_T = T;
    return 0;
}

static void scratch_free(fwd_scratch* s) {
    free(s->rows), free(s->block), free(s->scale);
    memset(s, 0, sizeof *s);
}

/* GHMM's only chatter is its GHMM_LOG channel: stderr lines for messages whose level
   is below the log level (0 critical, 1 error, 2 warning, 3 info; default 3). */
void ghmm_peer_set_quiet(int quiet) { ghmm_set_loglevel(quiet ? 0 : 3); }

/* ---------------------------------- discrete ---------------------------------- */

struct ghmm_peer_discrete {
    ghmm_dmodel* mo;
    fwd_scratch fwd;
    /* A ghmm_dseq we own that just points at the caller's sequences, so a BW step
       neither copies data nor allocates once the arrays are big enough. */
    ghmm_dseq sq;
    long cap_seq;
};

ghmm_peer_discrete* ghmm_peer_discrete_create(int N, int M, const double* pi, const double* A,
                                              const double* B) {
    if (N <= 0 || M <= 0 || !pi || !A || !B) return NULL;
    ghmm_peer_discrete* m = calloc(1, sizeof *m);
    int* deg = malloc(sizeof *deg * (size_t)N);
    if (!m || !deg) goto fail;
    for (int i = 0; i < N; ++i) deg[i] = N; /* dense: N in- and N out-edges per state */

    m->mo = ghmm_dmodel_calloc(M, N, GHMM_kDiscreteHMM, deg, deg);
    if (!m->mo) goto fail;
    ghmm_dmodel* mo = m->mo;
    mo->prior = -1; /* "no model prior"; calloc leaves 0 */
    for (int i = 0; i < N; ++i) {
        ghmm_dstate* s = &mo->s[i];
        s->pi = pi[i];
        s->fix = 0;
        /* calloc sizes the edge arrays but leaves the counts at 0. Zero-probability
           edges are kept so BW sees the same dense topology as our library. */
        s->out_states = N;
        s->in_states = N;
        for (int j = 0; j < N; ++j) {
            s->out_id[j] = j;
            s->out_a[j] = A[i * N + j];
            s->in_id[j] = j;
            s->in_a[j] = A[j * N + i];
        }
        memcpy(s->b, B + (size_t)i * M, sizeof(double) * (size_t)M);
    }
    if (ghmm_dmodel_check(mo) != 0) goto fail;
    free(deg);
    return m;
fail:
    free(deg);
    ghmm_peer_discrete_free(m);
    return NULL;
}

void ghmm_peer_discrete_free(ghmm_peer_discrete* m) {
    if (!m) return;
    if (m->mo) ghmm_dmodel_free(&m->mo);
    scratch_free(&m->fwd);
    free(m->sq.seq), free(m->sq.seq_len), free(m->sq.seq_id), free(m->sq.seq_w);
    free(m);
}

int ghmm_peer_discrete_forward(ghmm_peer_discrete* m, const int* obs, int T,
                               double* log_likelihood) {
    if (!m || !obs || T <= 0 || !log_likelihood) return -1;
    if (scratch_reserve(&m->fwd, T, m->mo->N)) return -1;
    /* ghmm_dmodel_forward rather than ghmm_dmodel_logp: logp is the same call plus a
       fresh T x N alpha matrix and scale vector malloc'd/freed each time. */
    double lp = 0.0;
    if (ghmm_dmodel_forward(m->mo, obs, T, m->fwd.rows, m->fwd.scale, &lp) != 0) return -1;
    *log_likelihood = lp;
    return 0;
}

int ghmm_peer_discrete_viterbi(ghmm_peer_discrete* m, const int* obs, int T, int* path,
                               double* log_probability) {
    if (!m || !obs || T <= 0 || !path || !log_probability) return -1;
    int len = 0;
    double lp = 0.0;
    /* GHMM takes a non-const sequence but only reads it; it allocates its own DP tables
       and the returned path (-1 terminated) on every call. */
    int* p = ghmm_dmodel_viterbi(m->mo, (int*)obs, T, &len, &lp);
    if (!p) return -1;
    int rc = 0;
    if (len != T || lp == 1.0) rc = -1; /* +1 == "sequence impossible" */
    else memcpy(path, p, sizeof(int) * (size_t)T);
    free(p);
    *log_probability = lp;
    return rc;
}

static int dseq_reserve(ghmm_peer_discrete* m, long n) {
    if (n <= m->cap_seq) return 0;
    ghmm_dseq* q = &m->sq;
    int** seq = realloc(q->seq, sizeof *seq * (size_t)n);
    if (seq) q->seq = seq;
    int* len = realloc(q->seq_len, sizeof *len * (size_t)n);
    if (len) q->seq_len = len;
    double* id = realloc(q->seq_id, sizeof *id * (size_t)n);
    if (id) q->seq_id = id;
    double* w = realloc(q->seq_w, sizeof *w * (size_t)n);
    if (w) q->seq_w = w;
    if (!seq || !len || !id || !w) return -1;
    for (long k = m->cap_seq; k < n; ++k) q->seq_id[k] = (double)k, q->seq_w[k] = 1.0;
    q->capacity = n;
    m->cap_seq = n;
    return 0;
}

int ghmm_peer_discrete_baum_welch_step(ghmm_peer_discrete* m, const int* const* seqs,
                                       const int* lens, int nseq) {
    if (!m || !seqs || !lens || nseq <= 0) return -1;
    if (dseq_reserve(m, nseq)) return -1;
    ghmm_dseq* q = &m->sq;
    for (int k = 0; k < nseq; ++k) {
        q->seq[k] = (int*)seqs[k]; /* read-only use inside GHMM */
        q->seq_len[k] = lens[k];
    }
    q->seq_number = nseq;
    q->total_w = (double)nseq;

    /* max_step = 1 -> one E+M step; GHMM then always re-runs forward over all sequences
       to report the new likelihood (part of its cost, unavoidable through this API). */
    int rc = ghmm_dmodel_baum_welch_nstep(m->mo, q, 1, 0.0);
    return rc == -1 ? -1 : 0; /* GHMM versions differ on 0 vs 1 for success; -1 is error */
}

void ghmm_peer_discrete_params(const ghmm_peer_discrete* m, double* pi, double* A, double* B) {
    if (!m) return;
    const ghmm_dmodel* mo = m->mo;
    const int N = mo->N, M = mo->M;
    for (int i = 0; i < N; ++i) {
        const ghmm_dstate* s = &mo->s[i];
        if (pi) pi[i] = s->pi;
        if (A) {
            for (int j = 0; j < N; ++j) A[i * N + j] = 0.0;
            for (int e = 0; e < s->out_states; ++e) A[i * N + s->out_id[e]] = s->out_a[e];
        }
        if (B) memcpy(B + (size_t)i * M, s->b, sizeof(double) * (size_t)M);
    }
}

/* ---------------------------------- gaussian ---------------------------------- */

struct ghmm_peer_gauss {
    ghmm_cmodel* mo;
    fwd_scratch fwd;
};

ghmm_peer_gauss* ghmm_peer_gauss_create(int N, int D, const double* pi, const double* A,
                                        const double* means, const double* variances) {
    if (N <= 0 || D <= 0 || !pi || !A || !means || !variances) return NULL;
    ghmm_peer_gauss* m = calloc(1, sizeof *m);
    if (!m) return NULL;
    /* D == 1: GHMM's multinormal code refuses dim < 2, so use its scalar normal. */
    const int multi = D > 1;
    m->mo = ghmm_cmodel_calloc(N, GHMM_kContinuousHMM | (multi ? GHMM_kMultivariate : 0));
    if (!m->mo) goto fail;
    ghmm_cmodel* mo = m->mo;
    mo->M = 1;   /* one mixture component per state */
    mo->dim = D;
    mo->cos = 1; /* one transition class; calloc leaves it 0 */
    mo->prior = -1;
    /* Allocate every state before validating anything: ghmm_cmodel_free complains
       ("CRITICAL ... m_free on NULL pointer") about states that were never allocated. */
    for (int i = 0; i < N; ++i) {
        ghmm_cstate* s = &mo->s[i];
        if (ghmm_cstate_alloc(s, 1, N, N, 1)) goto fail;
        s->M = 1;
        s->e[0].type = multi ? multinormal : normal;
        s->e[0].dimension = D;
        if (multi && ghmm_c_emission_alloc(&s->e[0], D)) goto fail;
    }
    for (int i = 0; i < N; ++i) {
        ghmm_cstate* s = &mo->s[i];
        s->c[0] = 1.0;
        s->pi = pi[i];
        s->fix = 0;
        s->out_states = N;
        s->in_states = N;
        for (int j = 0; j < N; ++j) {
            s->out_id[j] = j;
            s->out_a[0][j] = A[i * N + j];
            s->in_id[j] = j;
            s->in_a[0][j] = A[j * N + i];
        }
        ghmm_c_emission* e = &s->e[0];
        e->fixed = 0;
        if (!multi) {
            if (!(variances[i] > 0.0)) goto fail;
            e->mean.val = means[i];
            e->variance.val = variances[i];
            continue;
        }
        for (int d = 0; d < D; ++d) {
            if (!(variances[i * D + d] > 0.0)) goto fail;
            e->mean.vec[d] = means[i * D + d];
            e->variance.mat[d * D + d] = variances[i * D + d]; /* off-diagonals stay 0 */
        }
        /* The density uses the cached inverse + determinant (dgetrf/dgetri); the Cholesky
           factor (dpotrf) is only for sampling but is filled like GHMM's own loaders do. */
        ighmm_invert_det(e->sigmainv, &e->det, D, e->variance.mat);
        ighmm_cholesky_decomposition(e->sigmacd, D, e->variance.mat);
        if (!(e->det > 0.0)) goto fail;
    }
    if (ghmm_cmodel_check(mo) != 0) goto fail;
    return m;
fail:
    ghmm_peer_gauss_free(m);
    return NULL;
}

void ghmm_peer_gauss_free(ghmm_peer_gauss* m) {
    if (!m) return;
    if (m->mo) ghmm_cmodel_free(&m->mo);
    scratch_free(&m->fwd);
    free(m);
}

int ghmm_peer_gauss_forward(ghmm_peer_gauss* m, const double* obs, int T,
                            double* log_likelihood) {
    if (!m || !obs || T <= 0 || !log_likelihood) return -1;
    if (scratch_reserve(&m->fwd, T, m->mo->N)) return -1;
    double lp = 0.0;
    /* Quirk: GHMM's "T" here is the number of doubles (T*D); it divides by dim itself.
       b = NULL: densities are evaluated inside the recursion, not precomputed. */
    if (ghmm_cmodel_forward(m->mo, (double*)obs, T * m->mo->dim, NULL, m->fwd.rows,
                            m->fwd.scale, &lp) != 0)
        return -1;
    *log_likelihood = lp;
    return 0;
}
