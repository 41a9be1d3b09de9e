/**
 * The characters X-Ray accepts in a segment name (Unicode letters, numbers, space separators and
 * `_ . : / % & # = + - @`), as a regex character-class body; the schema's `name` pattern is the
 * same. The exporter cleans names with it and the local daemon explains rejections with it.
 */
export const NAME_CHARACTERS = String.raw`\p{L}\p{N}\p{Zs}_.:/%&#=+\-@`;
