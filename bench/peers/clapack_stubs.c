/* ATLAS-style clapack_* entry points that Debian's libghmm1 was built against
 * (HAVE_CLAPACK_* in GHMM's matrixop.c) but that no Debian LAPACK exports, so every
 * program linking -lghmm must supply them. Implemented on the reference Fortran LAPACK.
 *
 * GHMM's only callers (seen in libghmm.so.1's disassembly):
 *   ighmm_invert_det:             clapack_dgetrf(RowMajor, n, n, A, n, ipiv)
 *                                 clapack_dgetri(RowMajor, n, A, n, ipiv)
 *   ighmm_cholesky_decomposition: clapack_dpotrf(RowMajor, Upper, n, A, n)
 * ighmm_invert_det computes the determinant sign from `ipiv[i] != i`, i.e. it relies on
 * ATLAS's 0-based pivots; returning LAPACK's 1-based pivots would flip the sign of det
 * for odd dimensions and make every multivariate density NaN.
 *
 * Row-major trick: a row-major matrix is its transpose in column-major, so
 *   getrf: factoring A^T = P L U in place gives the ATLAS row-major form A = L' U' P'
 *          (L' = U^T non-unit lower, U' = L^T unit upper, column pivots), exactly ATLAS;
 *   getri: inverting A^T in place yields (A^T)^-1 = (A^-1)^T, i.e. A^-1 read row-major;
 *   potrf: the row-major upper triangle is the column-major lower one, so Upper <-> 'L'.
 * Bad arguments are rejected here with ATLAS's negative codes because reference
 * LAPACK's XERBLA would print and STOP the whole process.
 */
#include <stddef.h>
#include <stdlib.h>

/* Values of ATLAS's enum CBLAS_ORDER / CBLAS_UPLO (same as CBLAS). */
enum { PEER_RowMajor = 101, PEER_ColMajor = 102, PEER_Upper = 121, PEER_Lower = 122 };

/* gfortran passes CHARACTER lengths as trailing size_t arguments. */
extern void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
extern void dgetri_(const int* n, double* a, const int* lda, const int* ipiv, double* work,
                    const int* lwork, int* info);
extern void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info,
                    size_t uplo_len);

/* Exported with default visibility: libghmm.so resolves these against the executable,
   which fails at load time if a consumer builds with -fvisibility=hidden. */
#define PEER_EXPORT __attribute__((visibility("default")))

PEER_EXPORT int clapack_dgetrf(const int Order, const int M, const int N, double* A,
                               const int lda, int* ipiv);
PEER_EXPORT int clapack_dgetri(const int Order, const int N, double* A, const int lda,
                               const int* ipiv);
PEER_EXPORT int clapack_dpotrf(const int Order, const int Uplo, const int N, double* A,
                               const int lda);

static int max1(int a) { return a > 1 ? a : 1; }

int clapack_dgetrf(const int Order, const int M, const int N, double* A, const int lda,
                   int* ipiv) {
    if (Order != PEER_RowMajor && Order != PEER_ColMajor) return -1;
    if (M < 0) return -2;
    if (N < 0) return -3;
    if (lda < max1(Order == PEER_ColMajor ? M : N)) return -5;
    const int mn = M < N ? M : N;
    if (mn == 0) return 0;
    /* Column-major view of a row-major A is the N x M matrix A^T. */
    const int fm = Order == PEER_ColMajor ? M : N;
    const int fn = Order == PEER_ColMajor ? N : M;
    int info = 0;
    dgetrf_(&fm, &fn, A, &lda, ipiv, &info);
    for (int i = 0; i < mn; ++i) ipiv[i] -= 1; /* LAPACK 1-based -> ATLAS 0-based */
    return info;
}

int clapack_dgetri(const int Order, const int N, double* A, const int lda, const int* ipiv) {
    if (Order != PEER_RowMajor && Order != PEER_ColMajor) return -1;
    if (N < 0) return -2;
    if (lda < max1(N)) return -4;
    if (N == 0) return 0;

    /* Small stack buffers cover GHMM's use (covariances of a few dims); heap otherwise.
       This runs only when a model's covariance is (re)set, never per observation. */
    enum { SMALL = 64 };
    int piv_small[SMALL];
    int* piv = N <= SMALL ? piv_small : malloc(sizeof *piv * (size_t)N);
    if (!piv) return -5;
    for (int i = 0; i < N; ++i) piv[i] = ipiv[i] + 1; /* back to LAPACK's 1-based */

    int info = 0, lwork = -1;
    double wq = 0.0;
    dgetri_(&N, A, &lda, piv, &wq, &lwork, &info); /* workspace query */
    lwork = (int)wq < N ? N : (int)wq;
    double* work = malloc(sizeof *work * (size_t)lwork);
    if (!work) {
        info = -5;
    } else {
        /* The transposed view needs nothing special: inv(A^T) = inv(A)^T. */
        dgetri_(&N, A, &lda, piv, work, &lwork, &info);
        free(work);
    }
    if (piv != piv_small) free(piv);
    return info;
}

int clapack_dpotrf(const int Order, const int Uplo, const int N, double* A, const int lda) {
    if (Order != PEER_RowMajor && Order != PEER_ColMajor) return -1;
    if (Uplo != PEER_Upper && Uplo != PEER_Lower) return -2;
    if (N < 0) return -3;
    if (lda < max1(N)) return -5;
    if (N == 0) return 0;
    /* Row-major upper == column-major lower of the (symmetric) transpose. */
    const int upper_cm = (Order == PEER_ColMajor) == (Uplo == PEER_Upper);
    const char uplo = upper_cm ? 'U' : 'L';
    int info = 0;
    dpotrf_(&uplo, &N, A, &lda, &info, 1);
    return info;
}
