import ComptoirKit

extension ProductChanged {
    init(_ product: Product, deleted: Bool = false) {
        self.init(
            productId: product.id!, websiteId: product.websiteId, sku: product.sku, price: product.price, currency: product.currency,
            stock: product.stock, deleted: deleted)
    }
}
