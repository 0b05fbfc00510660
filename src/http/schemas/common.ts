import { type SchemaOptions, type StringOptions, type TSchema, Type } from "@sinclair/typebox";

/** Building blocks of the HTTP API's schemas. Every field carries a description for OpenAPI. */

export const Uuid = (description: string) => Type.String({ format: "uuid", description });
export const Timestamp = (description: string) => Type.String({ format: "date-time", description });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * A string or null, as one list of types rather than anyOf: the response serializer writes a
 * list of types directly, where anyOf makes it run a validator on every value to pick a branch
 * (half the cost of a page of certifications).
 */
export const NullableString = (options: StringOptions) =>
  Type.Unsafe<string | null>({ ...options, type: ["string", "null"] });

/** One of a fixed set of strings, as an enum: the serializer writes it as a string (see above). */
export const OneOf = <T extends string>(values: readonly T[], options: SchemaOptions) =>
  Type.Unsafe<T>({ ...options, type: "string", enum: [...values] });

/** One of a fixed set of strings, or null. */
export const NullableOneOf = <T extends string>(values: readonly T[], options: SchemaOptions) =>
  Type.Unsafe<T | null>({ ...options, type: ["string", "null"], enum: [...values, null] });

export const OrgParams = Type.Object({ orgId: Uuid("Organization id") });
export const IdParams = Type.Object({ id: Uuid("Certification id") });
export const UserParams = Type.Object({ userId: Uuid("User id") });
