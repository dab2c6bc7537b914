// deep_stack_cxx.cpp - C++ call stacks for tests/e2e/t4080, built -O2
// -fomit-frame-pointer: virtual calls, template recursion, std::function and
// lambdas, std::sort's comparator, a destructor run while an exception
// unwinds the stack, a catch block, and a std::thread. Each point captures
// with leakhound's unwinder and with libunwind and compares (unwind_check.c).
#include <algorithm>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "unwind_check.h"

static volatile int sink;

struct Shape {
	virtual ~Shape() = default;
	virtual int visit(int depth) = 0;
};

struct Square : Shape {
	__attribute__((noinline)) int visit(int depth) override;
};

struct Circle : Shape {
	Shape *next = nullptr;
	__attribute__((noinline)) int visit(int depth) override
	{
		int r = next->visit(depth + 1);
		sink = r;
		return r + 1;
	}
};

int Square::visit(int depth)
{
	unwind_check();
	return depth;
}

template <int N> __attribute__((noinline)) int nest(const std::function<int(int)> &f)
{
	int r = nest<N - 1>(f);
	sink = r;
	return r + N;
}

template <> __attribute__((noinline)) int nest<0>(const std::function<int(int)> &f)
{
	return f(0);
}

struct Guard {
	~Guard() { unwind_check(); } // runs during the exception's unwinding
};

__attribute__((noinline)) static void throw_through(int depth)
{
	Guard g;
	if (depth == 0)
		throw std::runtime_error("unwinding");
	throw_through(depth - 1);
	sink = depth;
}

int main()
{
	Square sq;
	Circle c1, c2;
	c1.next = &c2;
	c2.next = &sq;
	Shape *s = &c1;
	for (int i = 0; i < 4; i++)
		sink = s->visit(i);

	int captured = 7;
	nest<9>([&](int x) {
		unwind_check();
		return x + captured;
	});

	std::vector<int> v(200);
	for (size_t i = 0; i < v.size(); i++)
		v[i] = (int)((i * 7919) % 200);
	std::sort(v.begin(), v.end(), [](int a, int b) {
		if ((a ^ b) % 31 == 0)
			unwind_check();
		return a < b;
	});

	try {
		throw_through(3);
	} catch (const std::exception &) {
		unwind_check();
	}

	std::thread t([] { nest<5>([](int x) { unwind_check(); return x; }); });
	t.join();
	return unwind_check_report("deep_stack_cxx");
}
