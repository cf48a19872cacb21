/**
 * Segment E-commerce Spec v2 event names mapped to the behaviour they record. Names are
 * matched ignoring case, spaces and underscores, so "Order Completed", "order_completed"
 * and "orderCompleted" are the same event.
 */
export const behaviours = [
  'product_viewed',
  'product_list_viewed',
  'product_added',
  'product_removed',
  'cart_viewed',
  'checkout_started',
  'order_completed',
  'order_updated',
  'order_refunded',
  'order_cancelled',
  'coupon_applied',
  'wishlist_added',
  'page',
  'identify',
  'activity',
] as const;

export type Behaviour = (typeof behaviours)[number];

const specNames: Record<string, Behaviour> = {
  'Product Viewed': 'product_viewed',
  'Product List Viewed': 'product_list_viewed',
  'Product List Filtered': 'product_list_viewed',
  'Product Added': 'product_added',
  'Product Removed': 'product_removed',
  'Cart Viewed': 'cart_viewed',
  'Checkout Started': 'checkout_started',
  'Order Completed': 'order_completed',
  'Order Updated': 'order_updated',
  'Order Refunded': 'order_refunded',
  'Order Cancelled': 'order_cancelled',
  'Coupon Applied': 'coupon_applied',
  'Product Added to Wishlist': 'wishlist_added',
};

const squash = (name: string): string => name.replaceAll(/[\s_-]/g, '').toLowerCase();

const bySquashedName = new Map(
  Object.entries(specNames).map(([name, behaviour]) => [squash(name), behaviour]),
);

export const behaviourOfTrack = (eventName: string): Behaviour =>
  bySquashedName.get(squash(eventName)) ?? 'activity';

export const isOrderBehaviour = (b: Behaviour): boolean =>
  b === 'order_completed' || b === 'order_updated' || b === 'order_refunded' || b === 'order_cancelled';
