// What several test folders share: fakes, fixtures, runs of the build as a process, and the docs generator.
global using Build.Tests.Fixtures;
