// Every file linked from tests/Shared is in this namespace; the test projects use it everywhere.
global using Tests.Shared;
