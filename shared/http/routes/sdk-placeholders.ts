/**
 * RudderStack's browser SDK (v3) keeps its v1.1 payload: `userId: ""` until the visitor is
 * identified, and `event: null` on every call but track. Both mean "absent", which the message
 * schema says by leaving the field out; as sent, it would reject an empty id and a null event.
 */
export const withoutSdkPlaceholders = (message: unknown): unknown => {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return message;
  const fields = message as Record<string, unknown>;
  if (fields.userId !== '' && fields.event !== null) return message;
  return Object.fromEntries(
    Object.entries(fields).filter(
      ([name, value]) => !(name === 'userId' && value === '') && !(name === 'event' && value === null),
    ),
  );
};
