package dynamo

// SetMinFilteredRead sets the smallest Limit of s's filtered Queries (100 by default), so that a
// test reads a geohash cell more than once with a few dozen requests.
func SetMinFilteredRead(s *Store, n int) { s.minFilteredRead = n }
