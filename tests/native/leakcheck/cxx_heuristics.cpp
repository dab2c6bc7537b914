// cxx_heuristics.cpp - blocks that only an interior pointer reaches, which
// Memcheck's default heuristics still count as reachable.
//
// Built with -D_GLIBCXX_USE_CXX11_ABI=0: the old copy-on-write std::string,
// whose object holds a pointer 24 bytes into its heap block (past the
// length, capacity and refcount words).
// - newarray: `new Counted[10]` of a type with a destructor allocates
//   8 + 10 x 8 = 88 bytes, stores the count first and returns start+8; the
//   global keeps only that. Heuristic newarray (first word n > 0, (88 - 8)
//   % n == 0) makes it still reachable.
// - stdstring: a 40-character std::string constructed in place in a global
//   buffer (so no destructor frees it at exit): block of 24 + 40 + 1 = 65
//   bytes, reached at start+24; heuristic stdstring (capacity 40 at +8,
//   24 + 40 + 1 == size) makes it still reachable.
// - a lost `new Counted[4]` (8 + 4 x 8 = 40 bytes): definitely lost, named
//   by its caller below operator new[].
// - a plain `new long[6]` (48 bytes) kept in a global by its start: still
//   reachable with no heuristic.
// Memcheck: still reachable 88 + 65 + 48 = 201 B in 3 blocks ("of which
// reachable via heuristic: stdstring 65 B, newarray 88 B"); definitely lost
// 40 B in 1 block. libstdc++'s emergency pool (72,704 B) is not reported:
// Memcheck runs __gnu_cxx::__freeres at exit.
//
// EXPECT definitely=40/1 indirectly=0/0 possibly=0/0 reachable=201/3
#include <new>
#include <string>

#include "scrub.h"

struct Counted {
	long value;
	~Counted() { value = 0; }
};

static Counted *counted_array;
static long *plain_array;
alignas(std::string) static unsigned char string_storage[sizeof(std::string)];
static Counted *volatile sink;

__attribute__((noinline)) static void build()
{
	counted_array = new Counted[10];
	new (string_storage) std::string("forty characters of text, heap allocated");
	sink = new Counted[4]; // LEAK-SITE
	sink = nullptr;
	plain_array = new long[6];
}

int main()
{
	build();
	scrub_stack();
	return 0;
}
