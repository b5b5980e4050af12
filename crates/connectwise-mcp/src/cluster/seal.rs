//! Replay answers are kept in Redis sealed (ChaCha20-Poly1305, from `ring`, which rustls
//! already builds): the key is derived from the request itself ([`crate::replay::Key::seal`]),
//! so whoever reads Redis sees neither note text nor customer data, and only an identical
//! request, the one that is to get the answer, can open it.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

/// `nonce || ciphertext+tag` of `plain`, under `key`.
pub fn seal(key: &[u8; 32], plain: &[u8]) -> Option<Vec<u8>> {
    let k = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, key).ok()?);
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).ok()?;
    let mut buf = plain.to_vec();
    k.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut buf)
        .ok()?;
    let mut out = nonce.to_vec();
    out.extend(buf);
    Some(out)
}

/// The plain text of [`seal`]'s output, if `key` is the one it was sealed with.
pub fn open(key: &[u8; 32], sealed: &[u8]) -> Option<Vec<u8>> {
    let k = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, key).ok()?);
    let (nonce, body) = sealed.split_at_checked(NONCE_LEN)?;
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut buf = body.to_vec();
    let plain = k.open_in_place(nonce, Aad::empty(), &mut buf).ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_key_opens_and_the_text_is_not_visible() {
        let k = [7u8; 32];
        let s = seal(&k, b"Rebooted the print spooler").unwrap();
        assert!(!s.windows(8).any(|w| w == b"Rebooted"));
        assert_eq!(open(&k, &s).unwrap(), b"Rebooted the print spooler");
        assert!(open(&[8u8; 32], &s).is_none());
        let mut tampered = s.clone();
        if let Some(b) = tampered.last_mut() {
            *b ^= 1;
        }
        assert!(open(&k, &tampered).is_none());
        assert!(open(&k, b"short").is_none());
        // Two seals of the same text differ (a fresh nonce each time).
        assert_ne!(seal(&k, b"x").unwrap(), seal(&k, b"x").unwrap());
    }
}
