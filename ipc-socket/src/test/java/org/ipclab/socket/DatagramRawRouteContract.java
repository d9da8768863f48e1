package org.ipclab.socket;

import java.util.List;
import java.util.stream.Collectors;

import org.ipclab.testkit.RawRouteContract;

/** A datagram socket through a raw io route. */
abstract class DatagramRawRouteContract extends RawRouteContract {
    /** No 0-byte message, as in UdpContractTest. */
    @Override
    protected List<Integer> roundTripSizes() {
        return super.roundTripSizes().stream().filter(s -> s > 0).collect(Collectors.toList());
    }
}
