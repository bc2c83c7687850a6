import ComptoirKit
import FluentKit
import SQLKit

struct CreateOrders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Order.schema)
            .id()
            .field("number", .string, .required)
            .field("user_id", .uuid, .required)
            .field("website_id", .uuid, .required)
            .field("status", .string, .required)
            .field("customer_email", .string, .required)
            .field("customer_name", .string, .required)
            .field("shipping_address", .string, .required)
            .field("billing_address", .string, .required)
            .field("shipping_country", .string, .required)
            .field("total", .int64, .required)
            .field("currency", .string, .required)
            .field("cancel_reason", .string)
            .field("idempotency_key", .string)
            .field("request_fingerprint", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            // NULL keys never collide, so orders without a key are not constrained.
            .unique(on: "user_id", "idempotency_key")
            .create()
        try await database.schema(OrderLine.schema)
            .id()
            .field("order_id", .uuid, .required, .references(Order.schema, "id", onDelete: .cascade))
            .field("position", .int64, .required)
            .field("product_id", .uuid, .required)
            .field("name", .string, .required)
            .field("unit_price", .int64, .required)
            .field("quantity", .int64, .required)
            .create()
        try await database.schema(OrderStatusChange.schema)
            .id()
            .field("order_id", .uuid, .required, .references(Order.schema, "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("note", .string)
            .field("at", .datetime, .required)
            .create()
        try await Order.numbers.create(on: database)
        let sql = database.sql
        try await sql.create(index: "orders_user").on(Order.schema).column("user_id").column("created_at").run()
        try await sql.create(index: "orders_website_status").on(Order.schema).column("website_id").column("status").column("created_at").run()
        try await sql.create(index: "order_lines_order").on(OrderLine.schema).column("order_id").run()
        try await sql.create(index: "order_status_changes_order").on(OrderStatusChange.schema).column("order_id").run()
    }

    func revert(on database: any Database) async throws {
        for schema in [OrderStatusChange.schema, OrderLine.schema, Order.schema] {
            try await database.schema(schema).delete()
        }
        try await Order.numbers.drop(on: database)
    }
}
