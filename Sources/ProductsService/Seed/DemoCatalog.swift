import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import NIOCore

/// The demo catalog loaded into an empty default store on the first embedded start
/// (`--no-demo` skips it): 30 products in 5 categories, each with a picture.
enum DemoCatalog {
    struct Entry {
        var sku: String
        var name: String
        var description: String
        var price: Int
        var stock: Int
    }

    static let categories: [(slug: String, name: String, colour: (UInt8, UInt8, UInt8), items: [Entry])] = [
        (
            "kitchen", "Kitchen", (190, 90, 40),
            [
                .init(sku: "KIT-MUG", name: "Stoneware mug", description: "A 350 ml stoneware mug, glazed by hand.", price: 1400, stock: 40),
                .init(sku: "KIT-POT", name: "Cast iron teapot", description: "Keeps tea hot for an hour; enamelled inside.", price: 4900, stock: 12),
                .init(sku: "KIT-BOARD", name: "Oak cutting board", description: "End-grain oak, oiled, 40 × 25 cm.", price: 3900, stock: 20),
                .init(sku: "KIT-KNIFE", name: "Chef's knife", description: "20 cm carbon steel blade, walnut handle.", price: 8900, stock: 8),
                .init(sku: "KIT-BOWL", name: "Salad bowl", description: "Turned beech bowl, 28 cm.", price: 3200, stock: 15),
                .init(sku: "KIT-PRESS", name: "French press", description: "One litre, borosilicate glass and steel.", price: 2900, stock: 25),
            ]
        ),
        (
            "clothing", "Clothing", (40, 90, 160),
            [
                .init(sku: "CLO-TEE", name: "Organic cotton tee", description: "Heavyweight organic cotton, regular fit.", price: 2500, stock: 60),
                .init(sku: "CLO-SWEAT", name: "Crew sweatshirt", description: "Brushed fleece inside, ribbed cuffs.", price: 5900, stock: 30),
                .init(sku: "CLO-SOCKS", name: "Wool socks", description: "Merino blend, reinforced heel, pair.", price: 1500, stock: 80),
                .init(sku: "CLO-CAP", name: "Canvas cap", description: "Waxed canvas, adjustable strap.", price: 2200, stock: 35),
                .init(sku: "CLO-SCARF", name: "Linen scarf", description: "Washed linen, 180 × 50 cm.", price: 3400, stock: 18),
                .init(sku: "CLO-APRON", name: "Work apron", description: "Heavy denim with leather straps.", price: 4500, stock: 14),
            ]
        ),
        (
            "books", "Books", (70, 130, 70),
            [
                .init(sku: "BOO-BREAD", name: "The bread book", description: "Sourdough from starter to crust, 240 pages.", price: 2900, stock: 22),
                .init(sku: "BOO-TEA", name: "A year of tea", description: "Fifty-two teas and how to brew them.", price: 2400, stock: 16),
                .init(sku: "BOO-WOOD", name: "Woodworking basics", description: "Joints, tools and first projects.", price: 3500, stock: 10),
                .init(sku: "BOO-GARDEN", name: "Balcony garden", description: "Growing herbs and vegetables in pots.", price: 2200, stock: 19),
                .init(sku: "BOO-MAP", name: "Old maps of Europe", description: "A hundred maps from five centuries.", price: 4500, stock: 6),
                .init(sku: "BOO-NOTE", name: "Dotted notebook", description: "A5, 192 pages of 100 g paper.", price: 1800, stock: 70),
            ]
        ),
        (
            "garden", "Garden", (60, 150, 110),
            [
                .init(sku: "GAR-CAN", name: "Watering can", description: "Galvanised steel, five litres.", price: 3900, stock: 11),
                .init(sku: "GAR-GLOVES", name: "Garden gloves", description: "Goatskin palms, breathable backs.", price: 1900, stock: 45),
                .init(sku: "GAR-TROWEL", name: "Hand trowel", description: "Stainless steel with ash handle.", price: 2100, stock: 28),
                .init(sku: "GAR-SEEDS", name: "Herb seed set", description: "Basil, parsley, chives, coriander, thyme.", price: 1200, stock: 90),
                .init(sku: "GAR-POT", name: "Terracotta pot", description: "Frost-proof, 30 cm, with saucer.", price: 2600, stock: 24),
                .init(sku: "GAR-LAMP", name: "Solar lantern", description: "Charges by day, glows for eight hours.", price: 3100, stock: 17),
            ]
        ),
        (
            "home", "Home", (150, 60, 130),
            [
                .init(sku: "HOM-CANDLE", name: "Beeswax candle", description: "Hand-dipped, burns for 40 hours.", price: 1600, stock: 50),
                .init(sku: "HOM-THROW", name: "Wool throw", description: "Woven in Wales, 130 × 180 cm.", price: 8900, stock: 7),
                .init(sku: "HOM-VASE", name: "Glass vase", description: "Mouth-blown, smoke grey, 25 cm.", price: 4200, stock: 9),
                .init(sku: "HOM-CLOCK", name: "Wall clock", description: "Silent movement, birch face.", price: 5400, stock: 13),
                .init(sku: "HOM-BASKET", name: "Storage basket", description: "Seagrass, 40 litres, with handles.", price: 2800, stock: 21),
                .init(sku: "HOM-MIRROR", name: "Round mirror", description: "Brass frame, 50 cm across.", price: 7500, stock: 5),
            ]
        ),
    ]

    /// Loads the catalog unless the default store already has products.
    static func load(into environment: ServiceEnvironment, catalog: Catalog) async throws {
        let database = environment.database.fluent
        guard try await Product.query(on: database).filter(\.$websiteId == .defaultWebsite).count() == 0 else { return }
        var count = 0
        for category in categories {
            for (index, entry) in category.items.enumerated() {
                let product = Product(
                    websiteId: .defaultWebsite,
                    sku: entry.sku,
                    name: entry.name,
                    description: entry.description,
                    price: entry.price,
                    currency: "EUR",
                    stock: entry.stock,
                    category: category.slug
                )
                let shade = UInt8(40 + index * 30)
                let bytes = DemoImage.png(colour: category.colour, accent: (shade, shade, shade))
                let image = try ProductImage(productId: product.requireID(), contentType: "image/png", size: bytes.count, position: 0)
                try await environment.blobs.put(image.blobKey, contentType: "image/png", bytes: ByteBuffer(bytes: bytes))
                try await environment.database.transaction { tx in
                    if index == 0 { try await Category(websiteId: .defaultWebsite, slug: category.slug, name: category.name).create(on: tx) }
                    try await product.create(on: tx)
                    try await image.create(on: tx)
                    try await catalog.index(product, on: tx)
                    try await environment.outbox.append(ProductChanged(product), websiteId: .defaultWebsite, on: tx)
                }
                count += 1
            }
        }
        environment.logger.notice("loaded the demo catalog", metadata: ["products": .stringConvertible(count)])
    }
}
