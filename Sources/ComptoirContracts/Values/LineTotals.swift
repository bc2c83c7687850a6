/// The totals of priced lines (a basket, an order): each `unit_price × quantity` and their sum.
///
/// Prices and quantities come from requests, events and rows written from them, so every step
/// is checked: values too large to add up make `init` fail instead of trapping on an overflow,
/// which would stop the whole process.
public struct LineTotals: Sendable, Equatable {
    /// `unit_price × quantity` of each line, in the order given.
    public let lines: [Int]
    /// The sum of ``lines``.
    public let total: Int

    /// `nil` when a line's total or the sum does not fit in an `Int`.
    public init?(_ lines: some Sequence<(unitPrice: Int, quantity: Int)>) {
        var lineTotals: [Int] = []
        var total = 0
        for line in lines {
            let (lineTotal, lineOverflow) = line.unitPrice.multipliedReportingOverflow(by: line.quantity)
            let (sum, sumOverflow) = total.addingReportingOverflow(lineTotal)
            guard !lineOverflow, !sumOverflow else { return nil }
            lineTotals.append(lineTotal)
            total = sum
        }
        self.lines = lineTotals
        self.total = total
    }
}
