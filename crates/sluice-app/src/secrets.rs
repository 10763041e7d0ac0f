//! Sealing instance passwords at rest with AES-256-GCM. The key lives
//! outside the metadata store (an environment variable or a 0600 file in
//! the data directory), so a copy of the store alone reveals no password.

use aes_gcm::aead::{Aead, Generate, Key, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

const PREFIX: &str = "v1:";

#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

impl SecretBox {
    /// A box from a base64-encoded 32-byte key.
    pub fn from_base64(key: &str) -> Result<SecretBox, String> {
        let bytes = STANDARD
            .decode(key.trim())
            .map_err(|e| format!("secret key is not base64: {e}"))?;
        let key = Key::<Aes256Gcm>::try_from(bytes.as_slice())
            .map_err(|_| format!("secret key must be 32 bytes, got {}", bytes.len()))?;
        Ok(SecretBox {
            cipher: Aes256Gcm::new(&key),
        })
    }

    /// A new random key, base64-encoded.
    pub fn generate_key() -> String {
        STANDARD.encode(Key::<Aes256Gcm>::generate())
    }

    /// Seal a secret; the empty secret stays empty (no password set).
    pub fn seal(&self, plain: &str) -> Result<String, String> {
        if plain.is_empty() {
            return Ok(String::new());
        }
        let nonce = Nonce::generate();
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .map_err(|_| "cannot seal secret".to_string())?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
    }

    pub fn open(&self, sealed: &str) -> Result<String, String> {
        if sealed.is_empty() {
            return Ok(String::new());
        }
        let body = sealed
            .strip_prefix(PREFIX)
            .ok_or("sealed secret has an unknown format")?;
        let bytes = STANDARD
            .decode(body)
            .map_err(|_| "sealed secret is not base64")?;
        if bytes.len() < 12 {
            return Err("sealed secret is too short".into());
        }
        let (nonce, data) = bytes.split_at(12);
        let nonce = Nonce::try_from(nonce).map_err(|_| "bad nonce")?;
        let plain = self
            .cipher
            .decrypt(&nonce, data)
            .map_err(|_| "cannot open sealed secret: wrong SLUICE_SECRET_KEY?".to_string())?;
        String::from_utf8(plain).map_err(|_| "sealed secret is not UTF-8".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_round_trips_and_hides_the_secret() {
        let sb = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let sealed = sb.seal("hunter2-secret").unwrap();
        assert!(!sealed.contains("hunter2"));
        assert_ne!(
            sealed,
            sb.seal("hunter2-secret").unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(sb.open(&sealed).unwrap(), "hunter2-secret");
        let other = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        assert!(other.open(&sealed).is_err());
    }

    #[test]
    fn bad_keys_are_refused_with_a_reason() {
        assert!(
            SecretBox::from_base64("not base64!")
                .unwrap_err()
                .contains("base64")
        );
        assert!(
            SecretBox::from_base64("AAAA")
                .unwrap_err()
                .contains("32 bytes")
        );
    }
}
