/** The MIME layer's public API. */
export type { ContentType, HeaderField, MimeEntity, MimeLimits } from "./entity.js";
export { DEFAULT_MIME_LIMITS } from "./entity.js";
export { canonicalizeLineEndings } from "./canonicalize.js";
export { parseMime } from "./parser.js";
export { parseContentType, parseContentDisposition, formatContentType } from "./content-type.js";
export { getHeader, getHeaders, decodeBody, decodeText, getFilename, decodeHeaderValue } from "./entity-access.js";
export { decodeEncodedWords, encodeHeaderValue, foldHeaderValue } from "./rfc2047.js";
export { decodeBase64, encodeBase64Lines } from "../base64.js";
export { decodeQuotedPrintable, encodeQuotedPrintable } from "./transfer-encoding.js";
export { decodeCharset } from "./charset.js";
export { analyseAddressList, findAddress, parseAddressList, type AddressListAnalysis, type Mailbox } from "./address.js";
export { buildEntity, buildMultipart, formatHeaderField, newBoundary, serializeHeaders } from "./builder.js";
export type { EntitySpec, MultipartSpec, TransferEncodingChoice } from "./builder.js";
