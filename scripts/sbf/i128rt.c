/* 128-bit integer runtime for the registry sBPF toolchain.
 *
 * rustc 1.96 lowers u128/i128 shifts, multiplies and divisions to compiler-builtins calls, but
 * returns 128-bit values through a hidden pointer (sret) while LLVM 23's BPF backend returns them in
 * the r0/r2 register pair. Compiled here with clang for bpfel, these functions use LLVM's native
 * convention and only 64-bit operations, so sbpf-linker can resolve every call.
 * Division is a shift-subtract loop over the significant bits: keep it out of hot paths. */
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned __int128 u128;
typedef __int128 i128;

#define HI(x) ((u64)((u128)(x) >> 64))
#define LO(x) ((u64)(x))
static inline u128 join(u64 hi, u64 lo) { return ((u128)hi << 64) | lo; }
static inline void negate(u64 *hi, u64 *lo) { *lo = ~*lo + 1; *hi = ~*hi + (*lo == 0); }

/* Full 64 x 64 -> 128 product from 32-bit halves. */
static inline void mul_wide(u64 a, u64 b, u64 *hi, u64 *lo) {
    u64 a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    u64 mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (p00 & 0xffffffffu) | (mid << 32);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

i128 __multi3(i128 a, i128 b) {
    u64 hi, lo;
    mul_wide(LO(a), LO(b), &hi, &lo);
    hi += LO(a) * HI(b) + HI(a) * LO(b);
    return (i128)join(hi, lo);
}

i128 __ashlti3(i128 a, int shift) {
    unsigned s = (unsigned)shift & 127;
    u64 hi = HI(a), lo = LO(a);
    if (s == 0) return a;
    if (s >= 64) return (i128)join(lo << (s - 64), 0);
    return (i128)join((hi << s) | (lo >> (64 - s)), lo << s);
}

i128 __lshrti3(i128 a, int shift) {
    unsigned s = (unsigned)shift & 127;
    u64 hi = HI(a), lo = LO(a);
    if (s == 0) return a;
    if (s >= 64) return (i128)join(0, hi >> (s - 64));
    return (i128)join(hi >> s, (lo >> s) | (hi << (64 - s)));
}

i128 __ashrti3(i128 a, int shift) {
    unsigned s = (unsigned)shift & 127;
    u64 hi = HI(a), lo = LO(a);
    u64 sign = (u64)((i64)hi >> 63);
    if (s == 0) return a;
    if (s >= 64) return (i128)join(sign, (u64)((i64)hi >> (s - 64)));
    return (i128)join((u64)((i64)hi >> s), (lo >> s) | (hi << (64 - s)));
}

static inline int leading_zeros(u64 x) { return x ? __builtin_clzll(x) : 64; }

/* Unsigned 128/128 division. Division by zero is checked by Rust before any call. */
static void udivmod(u64 nh, u64 nl, u64 dh, u64 dl, u64 *qh, u64 *ql, u64 *rh, u64 *rl) {
    if (nh == 0 && dh == 0) {
        *qh = 0; *rh = 0;
        *ql = dl ? nl / dl : 0; *rl = dl ? nl % dl : 0;
        return;
    }
    u64 q_hi = 0, q_lo = 0, r_hi = 0, r_lo = 0;
    int bits = nh ? 128 - leading_zeros(nh) : 64 - leading_zeros(nl);
    for (int i = bits - 1; i >= 0; i--) {
        u64 bit = (i >= 64 ? nh >> (i - 64) : nl >> i) & 1;
        r_hi = (r_hi << 1) | (r_lo >> 63);
        r_lo = (r_lo << 1) | bit;
        q_hi = (q_hi << 1) | (q_lo >> 63);
        q_lo <<= 1;
        if (r_hi > dh || (r_hi == dh && r_lo >= dl)) {
            u64 borrow = r_lo < dl;
            r_lo -= dl;
            r_hi -= dh + borrow;
            q_lo |= 1;
        }
    }
    *qh = q_hi; *ql = q_lo; *rh = r_hi; *rl = r_lo;
}

u128 __udivmodti4(u128 n, u128 d, u128 *rem) {
    u64 qh, ql, rh, rl;
    udivmod(HI(n), LO(n), HI(d), LO(d), &qh, &ql, &rh, &rl);
    if (rem) *rem = join(rh, rl);
    return join(qh, ql);
}
u128 __udivti3(u128 n, u128 d) { return __udivmodti4(n, d, 0); }
u128 __umodti3(u128 n, u128 d) { u128 r; __udivmodti4(n, d, &r); return r; }

static void sdivmod(i128 n, i128 d, u64 *qh, u64 *ql, u64 *rh, u64 *rl) {
    u64 nh = HI(n), nl = LO(n), dh = HI(d), dl = LO(d);
    int n_neg = (i64)nh < 0, d_neg = (i64)dh < 0;
    if (n_neg) negate(&nh, &nl);
    if (d_neg) negate(&dh, &dl);
    udivmod(nh, nl, dh, dl, qh, ql, rh, rl);
    if (n_neg ^ d_neg) negate(qh, ql);
    if (n_neg) negate(rh, rl); /* remainder takes the dividend's sign */
}
i128 __divti3(i128 n, i128 d) { u64 a, b, c, e; sdivmod(n, d, &a, &b, &c, &e); return (i128)join(a, b); }
i128 __modti3(i128 n, i128 d) { u64 a, b, c, e; sdivmod(n, d, &a, &b, &c, &e); return (i128)join(c, e); }

/* Signed 128-bit multiply that reports overflow. */
i128 __muloti4(i128 a, i128 b, int *overflow) {
    u64 ah = HI(a), al = LO(a), bh = HI(b), bl = LO(b);
    int a_neg = (i64)ah < 0, b_neg = (i64)bh < 0, ovf = 0;
    if (a_neg) negate(&ah, &al);
    if (b_neg) negate(&bh, &bl);
    u64 hi, lo, c1h, c1l, c2h, c2l;
    mul_wide(al, bl, &hi, &lo);
    mul_wide(ah, bl, &c1h, &c1l);
    mul_wide(al, bh, &c2h, &c2l);
    if ((ah && bh) || c1h || c2h) ovf = 1;
    u64 t = hi + c1l; if (t < hi) ovf = 1; hi = t;
    t = hi + c2l; if (t < hi) ovf = 1; hi = t;
    if (a_neg ^ b_neg) {
        if (hi > 0x8000000000000000ull || (hi == 0x8000000000000000ull && lo != 0)) ovf = 1;
        negate(&hi, &lo);
    } else if (hi >= 0x8000000000000000ull) {
        ovf = 1;
    }
    *overflow = ovf;
    return (i128)join(hi, lo);
}
