//! CFB decryption with the whole block as feedback (CFB-128 as OpenPGP's SEIPDv1 uses it,
//! RFC 4880 5.13 and 13.9 without the resync): P[i] = C[i] ^ AES(C[i-1]), C[-1] = IV. Every
//! AES input is ciphertext known up front, so blocks go to the cipher eight at a time.
//!
//! No allocator: the caller writes the key (32 bytes, zero-padded), the IV (16 bytes) and the
//! data from `buffer()` on (growing the memory first), calls `decrypt` and reads the plaintext
//! from where the data was. A final partial block is decrypted like a whole one.
#![no_std]

use aes::cipher::consts::{U16, U8};
use aes::cipher::generic_array::GenericArray;
use aes::{Aes128, Aes192, Aes256, BlockCipher, NewBlockCipher};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

type Block = GenericArray<u8, U16>;
const PAR: usize = 8;

fn cfb_decrypt<C: BlockCipher<BlockSize = U16, ParBlocks = U8> + NewBlockCipher>(key: &[u8], iv: &[u8], data: &mut [u8]) {
    let cipher = C::new(GenericArray::from_slice(key));
    let mut prev = Block::clone_from_slice(iv);
    let mut par: GenericArray<Block, U8> = Default::default();
    let mut off = 0;
    while off < data.len() {
        let n = core::cmp::min(PAR, (data.len() - off + 15) / 16);
        // The AES inputs of this batch: the ciphertext block before each block.
        par[0] = prev.clone();
        for b in 1..n {
            par[b].copy_from_slice(&data[off + (b - 1) * 16..off + b * 16]);
        }
        let last = off + (n - 1) * 16;
        let last_end = core::cmp::min(last + 16, data.len());
        if last_end - last == 16 {
            prev.copy_from_slice(&data[last..last_end]);
        }
        if n == PAR {
            cipher.encrypt_blocks(&mut par);
        } else {
            for block in par.iter_mut().take(n) {
                cipher.encrypt_block(block);
            }
        }
        for b in 0..n {
            let start = off + b * 16;
            let end = core::cmp::min(start + 16, data.len());
            for (byte, k) in data[start..end].iter_mut().zip(par[b].iter()) {
                *byte ^= *k;
            }
        }
        off += n * 16;
    }
}

extern "C" {
    static __heap_base: u8;
}

/// Start of the caller's area (16-byte aligned): key (32), IV (16), then the data.
#[no_mangle]
pub extern "C" fn buffer() -> usize {
    (unsafe { &__heap_base as *const u8 as usize } + 15) & !15
}

/// Decrypts `len` data bytes in place with a `key_len`-byte key (16, 24 or 32).
/// Returns 0, or -1 for another key length.
#[no_mangle]
pub extern "C" fn decrypt(key_len: usize, len: usize) -> i32 {
    let base = buffer() as *mut u8;
    // Safety: the caller grew the memory to hold buffer() + 48 + len bytes.
    let (key, iv, data) = unsafe {
        (
            core::slice::from_raw_parts(base, key_len),
            core::slice::from_raw_parts(base.add(32), 16),
            core::slice::from_raw_parts_mut(base.add(48), len),
        )
    };
    match key_len {
        16 => cfb_decrypt::<Aes128>(key, iv, data),
        24 => cfb_decrypt::<Aes192>(key, iv, data),
        32 => cfb_decrypt::<Aes256>(key, iv, data),
        _ => return -1,
    }
    0
}
