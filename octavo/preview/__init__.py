"""The live preview: watch for saves, render, serve on 127.0.0.1, rebuild the outputs in a child process."""
