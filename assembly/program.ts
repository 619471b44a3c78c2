// placeholder: kernels land here (see src/wasm/kernels.ts for the host side)
export const PROGRAM_KERNELS_VERSION: i32 = 0;
