import ComptoirContracts
import ComptoirKit
import FluentKit

extension ProductChanged {
    init(_ product: Product, deleted: Bool = false) throws {
        self.init(
            productId: try product.requireID(),
            websiteId: product.websiteId,
            sku: product.sku,
            price: product.price,
            currency: product.currency,
            stock: product.stock,
            deleted: deleted
        )
    }
}
