package protection

import "testing"

func BenchmarkRedisTake(b *testing.B) {
	r, _ := newTestRedis(b)
	b.Run("serial", func(b *testing.B) { benchTake(b, r, false) })
	b.Run("parallel", func(b *testing.B) { benchTake(b, r, true) })
}
