/// Float matrix kernels for the ANN engine, written with Swift SIMD types.
enum GEMM {
    /// `C[m×n] = A[m×k] · B[k×n] + bias[row]`, all row-major and contiguous.
    ///
    /// A 4×16 register block (eight `SIMD8<Float>` accumulators) walks the rows of `B`; `B`'s
    /// 16-column panel (k × 64 bytes) stays in L1 for the networks this engine runs.
    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?
    ) {
        let braw = UnsafeRawPointer(b)
        @inline(__always) func loadB(_ p: Int, _ j: Int) -> SIMD8<Float> {
            braw.loadUnaligned(fromByteOffset: (p * n + j) * 4, as: SIMD8<Float>.self)
        }
        var i = 0
        while i + 4 <= m {
            let a0 = a + i * k
            let a1 = a0 + k
            let a2 = a1 + k
            let a3 = a2 + k
            let z0 = bias?[i] ?? 0
            let z1 = bias?[i + 1] ?? 0
            let z2 = bias?[i + 2] ?? 0
            let z3 = bias?[i + 3] ?? 0
            var j = 0
            while j + 16 <= n {
                var c00 = SIMD8<Float>(repeating: z0)
                var c01 = c00
                var c10 = SIMD8<Float>(repeating: z1)
                var c11 = c10
                var c20 = SIMD8<Float>(repeating: z2)
                var c21 = c20
                var c30 = SIMD8<Float>(repeating: z3)
                var c31 = c30
                for p in 0..<k {
                    let b0 = loadB(p, j)
                    let b1 = loadB(p, j + 8)
                    let v0 = a0[p]
                    let v1 = a1[p]
                    let v2 = a2[p]
                    let v3 = a3[p]
                    madd(&c00, v0, b0)
                    madd(&c01, v0, b1)
                    madd(&c10, v1, b0)
                    madd(&c11, v1, b1)
                    madd(&c20, v2, b0)
                    madd(&c21, v2, b1)
                    madd(&c30, v3, b0)
                    madd(&c31, v3, b1)
                }
                let out = UnsafeMutableRawPointer(c)
                out.storeBytes(of: c00, toByteOffset: (i * n + j) * 4, as: SIMD8<Float>.self)
                out.storeBytes(of: c01, toByteOffset: (i * n + j + 8) * 4, as: SIMD8<Float>.self)
                out.storeBytes(of: c10, toByteOffset: ((i + 1) * n + j) * 4, as: SIMD8<Float>.self)
                out.storeBytes(of: c11, toByteOffset: ((i + 1) * n + j + 8) * 4, as: SIMD8<Float>.self)
                out.storeBytes(of: c20, toByteOffset: ((i + 2) * n + j) * 4, as: SIMD8<Float>.self)
                out.storeBytes(of: c21, toByteOffset: ((i + 2) * n + j + 8) * 4, as: SIMD8<Float>.self)
                out.storeBytes(of: c30, toByteOffset: ((i + 3) * n + j) * 4, as: SIMD8<Float>.self)
                out.storeBytes(of: c31, toByteOffset: ((i + 3) * n + j + 8) * 4, as: SIMD8<Float>.self)
                j += 16
            }
            if j < n {
                for r in 0..<4 { scalarRow(i + r, from: j, n: n, k: k, a: a, b: b, c: c, bias: bias) }
            }
            i += 4
        }
        while i < m {
            let ar = a + i * k
            let z = bias?[i] ?? 0
            var j = 0
            while j + 8 <= n {
                var acc = SIMD8<Float>(repeating: z)
                for p in 0..<k { madd(&acc, ar[p], loadB(p, j)) }
                UnsafeMutableRawPointer(c).storeBytes(of: acc, toByteOffset: (i * n + j) * 4, as: SIMD8<Float>.self)
                j += 8
            }
            scalarRow(i, from: j, n: n, k: k, a: a, b: b, c: c, bias: bias)
            i += 1
        }
    }

    /// acc += a · b as a rounded multiply and a rounded add, never a fused multiply-add: the
    /// GEMM feeds calibration, so thresholds and spikes must not depend on whether the build
    /// targets FMA hardware (debug, release and every machine give the same bits).
    @inline(__always)
    static func madd(_ acc: inout SIMD8<Float>, _ a: Float, _ b: SIMD8<Float>) {
        acc += a * b
    }

    @inline(__always)
    private static func scalarRow(
        _ i: Int, from j0: Int, n: Int, k: Int, a: UnsafePointer<Float>,
        b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?
    ) {
        guard j0 < n else { return }
        let ar = a + i * k
        for j in j0..<n {
            var s = bias?[i] ?? 0
            for p in 0..<k { s += ar[p] * b[p * n + j] }
            c[i * n + j] = s
        }
    }

    /// `Σ x[i]·y[i]` with eight-lane partial sums.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc0 = SIMD8<Float>()
        var acc1 = SIMD8<Float>()
        let xr = UnsafeRawPointer(x)
        let yr = UnsafeRawPointer(y)
        var i = 0
        while i + 16 <= count {
            acc0 +=
                xr.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * yr.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc1 +=
                xr.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
                * yr.loadUnaligned(fromByteOffset: i * 4 + 32, as: SIMD8<Float>.self)
            i += 16
        }
        var s = (acc0 + acc1).sum()
        while i < count {
            s += x[i] * y[i]
            i += 1
        }
        return s
    }
}
