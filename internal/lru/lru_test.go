package lru

import "testing"

func TestCacheKeepsWithinItsBound(t *testing.T) {
	c := New[int, string](100)
	c.Put(1, "a", 20)
	c.Put(2, "b", 20)
	c.Put(3, "c", 20)
	if _, ok := c.Get(1); !ok { // 1 is now the most recently used
		t.Fatal("1 was dropped too early")
	}
	c.Put(4, "d", 25)
	c.Put(5, "e", 25) // 110 bytes: the least recently used (2) goes
	if _, ok := c.Get(2); ok {
		t.Fatal("2, the least recently used, was kept past the bound")
	}
	for _, k := range []int{1, 3, 4, 5} {
		if _, ok := c.Get(k); !ok {
			t.Fatalf("%d was dropped", k)
		}
	}
	if n, b := c.Len(); n != 4 || b != 90 {
		t.Fatalf("Len = %d, %d bytes; want 4, 90", n, b)
	}
	c.Put(6, "too big", 26) // more than a quarter of the bound
	if _, ok := c.Get(6); ok {
		t.Fatal("a value heavier than a quarter of the bound was kept")
	}
	c.Put(1, "A", 10) // replacing a value reweighs it
	if v, _ := c.Get(1); v != "A" {
		t.Fatalf("Get(1) = %q; want the new value", v)
	}
	if _, b := c.Len(); b != 80 {
		t.Fatalf("bytes = %d after replacing; want 80", b)
	}
	c.Remove(1)
	if _, ok := c.Get(1); ok {
		t.Fatal("Remove kept the value")
	}
	var zero Cache[int, int] // keeps nothing, does not fail
	zero.Put(1, 1, 1)
	if _, ok := zero.Get(1); ok {
		t.Fatal("the zero cache kept a value")
	}
}
