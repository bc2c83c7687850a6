import Foundation

/// How Comptoir spells JSON on the wire, in request and response bodies and in event payloads:
/// `snake_case` keys for camelCase properties (so wire types spell identifiers `userId`, not
/// `userID`: see docs/decisions) and RFC 3339 dates.
public enum WireJSON {
    /// The decoder of request bodies and event payloads.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let raw = try container.decode(String.self)
            guard let date = RFC3339.date(from: raw) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date-time")
            }
            return date
        }
        return decoder
    }

    /// The encoder of response bodies and event payloads.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
