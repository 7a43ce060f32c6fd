/** Serial numbers compare as integers: strip the DER sign byte / leading zeros. */
export function trimSerial(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}
