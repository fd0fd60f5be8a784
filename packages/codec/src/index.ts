export * from './gen/vehicle_data_pb.js';
