//! Apply: ordered execution of a plan — registration, fresh catalog resolution, write-ahead
//! journal, carts and checkout, resume after faults — reporting through a reporter, never printing.
