import Foundation

/// Who carries parcels to a country and how many working days it takes.
struct CarrierPlan: Sendable, Equatable {
    var carrier: String
    var workingDays: Int

    static func forCountry(_ country: String) -> CarrierPlan {
        switch country.uppercased() {
        case "FR": CarrierPlan(carrier: "Colissimo", workingDays: 2)
        case "BE", "NL", "DE": CarrierPlan(carrier: "DHL", workingDays: 3)
        case "GB": CarrierPlan(carrier: "Royal Mail", workingDays: 4)
        case "ES", "IT", "CH": CarrierPlan(carrier: "DHL", workingDays: 4)
        case "US", "CA": CarrierPlan(carrier: "UPS", workingDays: 7)
        default: CarrierPlan(carrier: "DHL Express", workingDays: 8)
        }
    }

    /// `workingDays` after `start`, skipping Saturdays and Sundays (UTC).
    func estimatedDelivery(from start: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        var date = calendar.startOfDay(for: start)
        var remaining = workingDays
        while remaining > 0 {
            // A UTC day is always 86 400 s (no daylight saving), so this is the next midnight.
            date = date.addingTimeInterval(86_400)
            if !calendar.isDateInWeekend(date) { remaining -= 1 }
        }
        return date
    }

    /// A tracking number: two letters, ten characters without look-alikes (no 0/O, 1/I), the country.
    static func trackingNumber(country: String) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<10).map { _ in alphabet.randomElement(using: &generator)! })  // trap-checked: alphabet is a non-empty literal
        return "CT\(body)\(country.uppercased())"
    }
}
