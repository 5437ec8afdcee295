// Package lru keeps values in memory up to a number of bytes, dropping
// the least recently used first. The caller says what each value weighs;
// a value heavier than a quarter of the bound is not kept, so one value
// cannot empty the cache.
package lru

import (
	"container/list"
	"sync"
)

// Cache is a size-bounded, least-recently-used cache, safe for concurrent
// use. The zero value keeps nothing; make one with New.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	bytes int
	order *list.List // front: most recently used
	items map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	size int
}

// New returns a cache that keeps at most maxBytes of values.
func New[K comparable, V any](maxBytes int) *Cache[K, V] {
	return &Cache[K, V]{max: maxBytes, order: list.New(), items: map[K]*list.Element{}}
}

// Get returns the value kept for k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	var zero V
	if c == nil || c.items == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry[K, V]).val, true
}

// Put keeps v for k, weighing size bytes, and drops the least recently
// used values until the cache is within its bound.
func (c *Cache[K, V]) Put(k K, v V, size int) {
	if c == nil || c.items == nil || size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		old := e.Value.(*entry[K, V])
		c.bytes += size - old.size
		old.val, old.size = v, size
		c.order.MoveToFront(e)
	} else {
		c.items[k] = c.order.PushFront(&entry[K, V]{key: k, val: v, size: size})
		c.bytes += size
	}
	for c.bytes > c.max {
		last := c.order.Back()
		old := last.Value.(*entry[K, V])
		c.order.Remove(last)
		delete(c.items, old.key)
		c.bytes -= old.size
	}
}

// Remove forgets k.
func (c *Cache[K, V]) Remove(k K) {
	if c == nil || c.items == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.order.Remove(e)
		delete(c.items, k)
		c.bytes -= e.Value.(*entry[K, V]).size
	}
}

// Len returns how many values are kept and what they weigh.
func (c *Cache[K, V]) Len() (n, bytes int) {
	if c == nil || c.items == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.bytes
}
