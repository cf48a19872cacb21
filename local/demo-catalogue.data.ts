/**
 * Data file: the demo shop's catalogue as literal data, its categories and each category's
 * products with their prices. demo-catalogue.ts gives the products their ids.
 */

export const CATEGORIES = [
  'Electronics',
  'Books',
  'Home & Kitchen',
  'Fashion',
  'Beauty',
  'Sports',
  'Toys',
  'Grocery',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const PRODUCTS_BY_CATEGORY: Record<Category, readonly (readonly [string, number])[]> = {
  Electronics: [
    ['Wireless Earbuds', 79.99],
    ['Bluetooth Speaker', 49.99],
    ['USB-C Charger 65W', 24.99],
    ['Noise-Cancelling Headphones', 249.0],
    ['4K Streaming Stick', 39.99],
    ['Smartwatch', 199.0],
    ['Portable SSD 1TB', 109.99],
    ['Mechanical Keyboard', 89.0],
  ],
  Books: [
    ['Sourdough at Home', 18.99],
    ['A Field Guide to Birds', 24.5],
    ['The Quiet Orbit', 14.99],
    ['Practical TypeScript', 39.99],
    ['Atlas of Lost Cities', 29.0],
    ['Weeknight Vegetarian', 22.0],
    ['Mystery at Harbour Lane', 12.99],
    ["Kids' Picture Dictionary", 9.99],
  ],
  'Home & Kitchen': [
    ["Chef's Knife 8in", 59.0],
    ['Cast Iron Skillet', 34.99],
    ['French Press', 27.5],
    ['Linen Duvet Cover', 119.0],
    ['Ceramic Mug Set', 24.0],
    ['Air Fryer', 89.99],
    ['Bamboo Cutting Board', 19.99],
    ['Scented Candle', 16.0],
  ],
  Fashion: [
    ['Organic Cotton T-Shirt', 22.0],
    ['Slim Fit Jeans', 59.0],
    ['Merino Wool Sweater', 89.0],
    ['Leather Belt', 35.0],
    ['Rain Jacket', 129.0],
    ['Canvas Sneakers', 54.99],
    ['Silk Scarf', 45.0],
    ['Wool Socks 3-Pack', 18.0],
  ],
  Beauty: [
    ['Vitamin C Serum', 28.0],
    ['Hydrating Face Cream', 34.5],
    ['SPF 50 Sunscreen', 17.99],
    ['Argan Hair Oil', 21.0],
    ['Matte Lipstick', 14.0],
    ['Bamboo Toothbrush 4-Pack', 9.99],
    ['Eau de Parfum 50ml', 72.0],
    ['Clay Face Mask', 12.5],
  ],
  Sports: [
    ['Yoga Mat', 32.0],
    ['Adjustable Dumbbells', 149.0],
    ['Running Shoes', 119.99],
    ['Insulated Water Bottle', 24.99],
    ['Resistance Bands Set', 19.5],
    ['Cycling Helmet', 64.0],
    ['Tennis Balls 4-Pack', 8.99],
    ['Fitness Tracker', 79.0],
  ],
  Toys: [
    ['Building Blocks 500pc', 39.99],
    ['Wooden Train Set', 54.0],
    ['Plush Bear', 18.5],
    ['Jigsaw Puzzle 1000pc', 16.99],
    ['Remote Control Car', 44.99],
    ['Board Game: Island Traders', 34.0],
    ['Art & Craft Kit', 21.99],
    ["Kids' Science Kit", 29.5],
  ],
  Grocery: [
    ['Single-Origin Coffee Beans 1kg', 26.0],
    ['Extra Virgin Olive Oil 1L', 15.49],
    ['Matcha Green Tea', 19.0],
    ['Dark Chocolate Bar', 3.99],
    ['Mixed Nuts 500g', 11.49],
    ['Organic Honey', 9.5],
    ['Basmati Rice 2kg', 7.99],
    ['Sparkling Water 12-Pack', 6.49],
  ],
};
