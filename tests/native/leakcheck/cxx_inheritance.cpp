// cxx_inheritance.cpp - a pointer to the second base of an object with
// multiple inheritance: Memcheck's multipleinheritance heuristic.
//
// Both derives from Left and Right, each with a virtual destructor: an
// object is Left's vtable pointer and field (16 bytes), Right's vtable
// pointer and field, then Both's field: 40 bytes. A Right* to it points 16
// bytes in. Memcheck counts that interior pointer as a start pointer when
// the word it points at and the block's first word both look like vtable
// pointers (into a readable file mapping, with entries pointing at code):
// - a Both kept only through a global Right*: still reachable (heuristic);
// - a plain 40-byte struct kept only through a pointer 16 bytes in:
//   possibly lost (no vtables, no heuristic);
// - a Both dropped: definitely lost.
// Memcheck: still reachable 40 B in 1 block ("of which reachable via
// heuristic: multipleinheritance 40 B"); possibly lost 40 B in 1;
// definitely lost 40 B in 1.
//
// EXPECT definitely=40/1 indirectly=0/0 possibly=40/1 reachable=40/1
#include "scrub.h"

struct Left {
	virtual ~Left() {}
	long left = 1;
};

struct Right {
	virtual ~Right() {}
	long right = 2;
};

struct Both : Left, Right {
	long both = 3;
};

struct Plain {
	long words[5];
};

static Right *second_base;
static long *plain_interior;
static Left *volatile sink;

__attribute__((noinline)) static void build()
{
	second_base = new Both;
	plain_interior = &(new Plain{})->words[2];
	sink = new Both; // LEAK-SITE
	sink = nullptr;
}

int main()
{
	build();
	scrub_stack();
	return 0;
}
