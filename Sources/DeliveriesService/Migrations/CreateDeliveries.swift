import ComptoirKit
import FluentKit
import SQLKit

struct CreateDeliveries: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Delivery.schema)
            .id()
            .field("order_id", .uuid, .required)
            .field("order_number", .string, .required)
            .field("user_id", .uuid, .required)
            .field("website_id", .uuid, .required)
            .field("country", .string, .required)
            .field("carrier", .string, .required)
            .field("tracking_number", .string, .required)
            .field("status", .string, .required)
            .field("estimated_delivery", .datetime, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            // One shipment per order, however often orders.order.confirmed arrives.
            .unique(on: "order_id")
            .unique(on: "tracking_number")
            .create()
        try await database.schema(DeliveryEvent.schema)
            .id()
            .field("delivery_id", .uuid, .required, .references(Delivery.schema, "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("description", .string, .required)
            .field("at", .datetime, .required)
            .create()
        let sql = database.sql
        try await sql.create(index: "deliveries_user").on(Delivery.schema).column("user_id").run()
        try await sql.create(index: "delivery_events_delivery").on(DeliveryEvent.schema).column("delivery_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DeliveryEvent.schema).delete()
        try await database.schema(Delivery.schema).delete()
    }
}
