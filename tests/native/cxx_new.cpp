// cxx_new.cpp - a leak through operator new (the LEAK-SITE marker), next to
// containers that allocate and free, for tests/e2e/t4010.
#include <cstdio>
#include <string>
#include <vector>

struct Node {
	char payload[48];
	Node *next;
};

static Node *volatile head;

__attribute__((noinline)) static Node *make_node(Node *next)
{
	return new Node{ {}, next }; // LEAK-SITE
}

__attribute__((noinline)) static size_t churn(int i)
{
	std::vector<std::string> v;
	for (int k = 0; k < 20; k++)
		v.push_back(std::string(40 + k, 'x') + std::to_string(i));
	return v.size();
}

int main()
{
	size_t n = 0;
	for (int i = 0; i < 500; i++) {
		head = make_node(head);
		n += churn(i);
	}
	std::printf("made 500 nodes, %zu strings\n", n);
	head = nullptr;
	return 0;
}
