// The lab's fixtures (emulators, the lab itself, runs of the real build) serve every test folder.
global using Lab.Fixtures.Aws;
global using Lab.Fixtures.Docker;
global using Lab.Fixtures.Emulator;
global using Lab.Fixtures.Fleet;
global using Lab.Fixtures.GitLab;
global using Lab.Fixtures.Helper;
global using Lab.Fixtures.Pki;
global using Lab.Fixtures.Runs;
global using Lab.Fixtures.Signing;
