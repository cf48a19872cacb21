/**
 * The six Segment message types the service accepts: one list for the message schema
 * (shared/activation/domain/segment-message.ts), the normalised event (shared/ingestion/domain/shopper-event.ts), the
 * OpenAPI document, and the single-message ingestion routes (`POST /v1/<type>`).
 */
export const MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
