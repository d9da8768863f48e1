package org.ipclab.core.io.jnr;

import java.nio.ByteBuffer;

import com.kenai.jffi.MemoryIO;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

import org.ipclab.core.io.FdCalls;

/**
 * {@link FdCalls} bound by jnr-ffi, which implements every abstract method as the libc function of
 * its name: fixed arity, primitive arguments only (jnr-ffi's fastest stubs; its variadic
 * {@code syscall} takes a slow path). jnr-ffi keeps errno per thread, so one binding serves every
 * channel. Public because jnr-ffi implements it in a class loader of its own.
 */
public interface JnrCalls extends FdCalls {
    /** Loads libc; a failure is a {@link LinkageError} or jnr-ffi's runtime exception. */
    static JnrCalls load() {
        return LibraryLoader.create(JnrCalls.class).load("c");
    }

    @Override
    default int errno() {
        return Runtime.getSystemRuntime().getLastError();
    }

    /** JNI's GetDirectBufferAddress, once per buffer (FdChannel keeps it). */
    @Override
    default long address(ByteBuffer direct) {
        return MemoryIO.getInstance().getDirectBufferAddress(direct);
    }
}
