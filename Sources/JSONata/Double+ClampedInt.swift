extension Double {
    /// The value truncated to an Int, clamped to Int's range (NaN becomes 0): never traps.
    @inline(__always)
    var clampedInt: Int {
        if self.isNaN { return 0 }
        if self >= 9.2e18 { return Int.max / 2 }
        if self <= -9.2e18 { return Int.min / 2 }
        return Int(self)
    }
}
