package bolt

// DecodeEveryRead turns the store's cache of decoded requests off, so that a benchmark measures
// the store as it was before it (call it before using the store).
func DecodeEveryRead(s *Store) { s.requests.off = true }

// SetNoSync skips the fsync of every commit while on, so that a benchmark seeds a store fast.
func SetNoSync(s *Store, on bool) { s.db.NoSync = on }
