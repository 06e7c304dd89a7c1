// A worker script that dies before it is ready, as a bundle with a missing dependency would.
throw new Error("this worker cannot start")
